// A short seeded run of the fuzzer (bench/fuzz-core.ts): nothing but StreamError escapes, nothing hangs, valid streams read back.
import { describe, expect, it } from "vitest";
import { DEFINITIONS, FORMAT_NAMES, Rng, caseFromJson, caseToJson, makeCase, makePool, runCase, runFuzz, streamBytes } from "../bench/fuzz-core.js";
import { FrameKind } from "../src/index.js";

describe("fuzz (short run)", () => {
  it("3,000 mutated, truncated and rechunked inputs over every format: only values or StreamErrors, none hung", async () => {
    const report = await runFuzz({ count: 3000, seed: 8, timeBoundMs: 10_000 });
    expect(report.tried).toBe(3000);
    const failures = report.failures.map((f) => `${f.outcome.result}: ${f.case.definition} ${f.case.mutation}: ${String(f.outcome.error)}`);
    expect(failures).toEqual([]);
    expect(report.outcomes.escaped ?? 0).toBe(0);
    expect(report.outcomes.hung ?? 0).toBe(0);
    expect(Object.values(report.outcomes).reduce((a, b) => a + b, 0)).toBe(3000);
    // every format got its share, and the run exercised the paths it is meant to: clean reads and the decode,
    // framing and truncation errors
    expect(Object.keys(report.byFormat)).toEqual(FORMAT_NAMES);
    for (const [format, share] of Object.entries(report.byFormat)) {
      expect(share.tried, format).toBeGreaterThan(400);
      for (const outcome of ["ok", "FORMAT", "TRUNCATED"]) expect(share.outcomes[outcome] ?? 0, `${format}: ${outcome}`).toBeGreaterThan(0);
    }
    for (const outcome of ["LIMIT", "ORDER", "VALIDATION", "REMOTE"]) expect(report.outcomes[outcome] ?? 0, outcome).toBeGreaterThan(0);
  });

  it("the same seed gives the same inputs and outcomes", async () => {
    const a = await runFuzz({ count: 300, seed: 99 });
    const b = await runFuzz({ count: 300, seed: 99 });
    expect(b.outcomes).toEqual(a.outcomes);
    expect(b.mutations).toEqual(a.mutations);
  });

  it("unmutated streams of every definition read back completely", async () => {
    const rng = new Rng(5);
    const pool = makePool(rng, 8);
    for (const def of DEFINITIONS) {
      for (const stream of pool.get(def.name)!) {
        const endsWithError = stream.frames.at(-1)!.kind === FrameKind.ERROR;
        const outcome = await runCase({ definition: def.name, bytes: streamBytes(stream), cuts: [], source: "array", options: {}, mutation: "none" }, 10_000);
        expect(outcome.result, def.name).toBe(endsWithError ? "REMOTE" : "ok");
      }
    }
  });

  it("a saved case replays to the same outcome", async () => {
    const rng = new Rng(3);
    const pool = makePool(rng, 4);
    for (let i = 0; i < 50; i++) {
      const c = makeCase(rng, pool);
      const first = await runCase(c, 10_000);
      const again = await runCase(caseFromJson(caseToJson(c, first)), 10_000);
      expect(again.result).toBe(first.result);
      expect(again.items).toBe(first.items);
    }
  });
});
