// A short run of the fuzzer (bench/fuzz-core.ts) on a new seed each run: nothing but StreamError escapes, nothing
// hangs, what is delivered validates, whole streams read back and prefixes of them are TRUNCATED (truss: its clean-end rule).
// The seed is printed; FUZZ_SEED=<seed> npx vitest run test/fuzz.test.ts runs the same inputs again.
import { describe, expect, it } from "vitest";
import { DEFINITIONS, FORMAT_NAMES, Rng, caseFromJson, caseToJson, expectationOf, makeCase, makePool, runCase, runFuzz, streamBytes } from "../bench/fuzz-core.js";
import { replayHint, runSeed } from "./seed.js";

const seed = runSeed("test/fuzz.test.ts");
const again = replayHint(seed);

describe(`fuzz (short run, seed ${seed})`, () => {
  it("10,000 mutated, truncated and rechunked inputs over every format: only values or StreamErrors, none hung, none wrong", async () => {
    const report = await runFuzz({ count: 10_000, seed, timeBoundMs: 10_000 });
    expect(report.tried).toBe(10_000);
    const failures = report.failures.map((f) => `${f.outcome.wrong ?? f.outcome.result}: ${f.case.definition} ${f.case.mutation}: ${String(f.outcome.error)}`);
    expect(failures, again).toEqual([]);
    expect(report.outcomes.escaped ?? 0).toBe(0);
    expect(report.outcomes.hung ?? 0).toBe(0);
    expect(report.wrong).toBe(0);
    expect(Object.values(report.outcomes).reduce((a, b) => a + b, 0)).toBe(10_000);
    // the oracles had whole streams and prefixes to hold to their outcome (20% of inputs)
    expect(report.checked, again).toBeGreaterThan(1000);
    // every format got its share, and the run exercised the paths it is meant to: clean reads and the decode,
    // framing and truncation errors
    expect(Object.keys(report.byFormat)).toEqual(FORMAT_NAMES);
    for (const [format, share] of Object.entries(report.byFormat)) {
      expect(share.tried, format).toBeGreaterThan(1500);
      for (const outcome of ["ok", "FORMAT", "TRUNCATED"]) expect(share.outcomes[outcome] ?? 0, `${format}: ${outcome}; ${again}`).toBeGreaterThan(0);
    }
    for (const outcome of ["LIMIT", "ORDER", "VALIDATION", "REMOTE"]) expect(report.outcomes[outcome] ?? 0, `${outcome}; ${again}`).toBeGreaterThan(0);
  }, 180_000); // a bounded budget of inputs, not of time: about 3 s on an idle core, room for a loaded machine

  it("the same seed gives the same inputs and outcomes", async () => {
    const a = await runFuzz({ count: 300, seed: 99 });
    const b = await runFuzz({ count: 300, seed: 99 });
    expect(b.outcomes).toEqual(a.outcomes);
    expect(b.mutations).toEqual(a.mutations);
  });

  it("every valid stream of every definition reads back whole, and every strict prefix of it is TRUNCATED (truss: a cut at a frame boundary is a clean end)", async () => {
    const rng = new Rng(seed);
    const pool = makePool(rng, 4);
    const wrong: string[] = [];
    for (const def of DEFINITIONS) {
      for (const stream of pool.get(def.name)!) {
        const bytes = streamBytes(stream);
        for (let length = 0; length <= bytes.length; length++) {
          const expected = expectationOf(def, stream, length);
          const c = { definition: def.name, bytes: bytes.subarray(0, length), cuts: [], source: "array" as const, options: {}, mutation: length < bytes.length ? "truncate" : "none", expected };
          const outcome = await runCase(c, 10_000);
          if (outcome.wrong || outcome.result === "escaped" || outcome.result === "hung") wrong.push(`${def.name}, ${length} of ${bytes.length} bytes: ${outcome.wrong ?? outcome.result}`);
        }
      }
    }
    expect(wrong.slice(0, 10), again).toEqual([]);
  }, 120_000);

  it("a saved case replays to the same outcome", async () => {
    const rng = new Rng(seed);
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
