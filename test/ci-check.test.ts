// .ci/check.sh, the bound on each step of the package check: CPU time catches a step that spins, the wall clock
// (a multiple of it) one that waits forever, and a step slowed by a loaded machine passes.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const CHECK = new URL("../.ci/check.sh", import.meta.url).pathname;

/** Runs one check in a fresh bash and returns what it printed. */
function runCheck(seconds: number, command: string, wallFactor = 5): string {
  const script = `set -euo pipefail; LOG=$(mktemp); failures=0; WALL_FACTOR=${wallFactor}; source "${CHECK}"; check step ${seconds} bash -c '${command}'; rm -f "$LOG"; echo "failures=$failures"`;
  return execFileSync("bash", ["-c", script], { encoding: "utf8" });
}

describe(".ci/check.sh", () => {
  it("passes a step that takes longer on the wall clock than its CPU bound (a loaded machine), within the wall factor", () => {
    // 2 s of waiting and almost no CPU: over a 1 s bound on a fixed wall clock, as tsc was on a busy machine.
    const out = runCheck(1, "sleep 2");
    expect(out).toMatch(/^ok {3}step/m);
    expect(out).toContain("failures=0");
  });

  it("fails a step that spins, on its CPU time, and says so", () => {
    const out = runCheck(1, "while :; do :; done", 60);
    expect(out).toMatch(/^FAIL step/m);
    expect(out).toContain("more than 1s of CPU time: a hang, not load");
    expect(out).toContain("failures=1");
  });

  it("fails a step that waits forever, on the wall clock, and says so", () => {
    const out = runCheck(1, "exec sleep infinity", 2);
    expect(out).toMatch(/^FAIL step/m);
    expect(out).toContain("stopped after 2s on the wall clock");
    expect(out).toContain("failures=1");
  });

  it("fails a step whose command fails, with the end of its output", () => {
    const out = runCheck(10, "echo the reason; exit 3");
    expect(out).toMatch(/^FAIL step/m);
    expect(out).toContain("| the reason");
  });
});
