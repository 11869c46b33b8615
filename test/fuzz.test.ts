// A short seeded run of the fuzzer (bench/fuzz-core.ts): nothing but StreamError escapes, nothing hangs, valid streams read back.
import { describe, expect, it } from "vitest";
import { DEFINITIONS, Rng, caseFromJson, caseToJson, makeCase, makePool, runCase, runFuzz } from "../bench/fuzz-core.js";

describe("fuzz (short run)", () => {
  it("3,000 mutated, truncated and rechunked inputs: only values or StreamErrors, none hung", async () => {
    const report = await runFuzz({ count: 3000, seed: 8, timeBoundMs: 10_000 });
    expect(report.tried).toBe(3000);
    const failures = report.failures.map((f) => `${f.outcome.result}: ${f.case.definition} ${f.case.mutation}: ${String(f.outcome.error)}`);
    expect(failures).toEqual([]);
    expect(report.outcomes.escaped ?? 0).toBe(0);
    expect(report.outcomes.hung ?? 0).toBe(0);
    // the run exercised the paths it is meant to: clean reads and the decode, framing and truncation errors
    for (const outcome of ["ok", "FORMAT", "TRUNCATED", "LIMIT"]) expect(report.outcomes[outcome] ?? 0, outcome).toBeGreaterThan(0);
    expect(Object.values(report.outcomes).reduce((a, b) => a + b, 0)).toBe(3000);
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
      for (const frames of pool.get(def.name)!) {
        const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
        let at = 0;
        for (const f of frames) {
          bytes.set(f, at);
          at += f.length;
        }
        const endsWithError = frames.at(-1)![0] === 6;
        const outcome = await runCase({ definition: def.name, bytes, cuts: [], source: "array", options: {}, mutation: "none" }, 10_000);
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
