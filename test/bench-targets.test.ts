// The benchmark's target table (bench/targets.ts): a target whose inputs a run lacks is a MISS, not left out.
import { describe, expect, it } from "vitest";
import { throughput } from "../bench/measure.js";
import { evaluateTargets } from "../bench/targets.js";

describe("bench/targets.ts", () => {
  it("a run without any figures misses every target, each saying what it lacks", () => {
    const targets = evaluateTargets({ throughput: [], linearity: [], readMemory: [], manyReaders: undefined });
    expect(targets.map((t) => t.id)).toEqual(["T1", "T2", "T3", "T4", "T5", "T6r", "T6w", "T7", "T8", "T9"]);
    for (const t of targets) {
      expect(t.pass, t.id).toBe(false);
      expect(t.measured, t.id).toBeNaN();
      expect(t.from, t.id).toMatch(/^not measured: no /);
    }
  });

  it("a target with one of its two inputs missing is a MISS naming the missing one", () => {
    const libRead = throughput({ workload: "W1", contender: "streamtypes-msgpack", label: "streamtypes", op: "read", chunks: "64 KiB", items: 1e6, bytes: 1e7, seconds: 1 });
    const targets = evaluateTargets({ throughput: [libRead], linearity: [], readMemory: [], manyReaders: undefined });
    const t1 = targets.find((t) => t.id === "T1")!;
    expect(t1.pass).toBe(false);
    expect(t1.from).toBe("not measured: no W1 raw msgpackr read in this run");
  });
});
