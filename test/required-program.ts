// Programs some tests start (nginx, redis-server): a missing one skips those tests on a developer's machine, and fails in CI.
import { existsSync } from "node:fs";
import { expect, it } from "vitest";

/** Whether this run is CI (.ci/run sets CI=true), where every program the tests need must be there. */
export const inCI = Boolean(process.env.CI) && process.env.CI !== "false";

/**
 * Whether to skip the tests that need the program at `path`: only when it is missing outside CI (with a warning).
 * In CI a missing program is a failing test that says what to install, and the tests themselves run (and fail).
 *
 * ```ts
 * describe.skipIf(skipWithout("/usr/sbin/nginx", "the nginx tests", "apt-get install nginx"))("through nginx", () => {});
 * ```
 */
export function skipWithout(path: string, tests: string, install: string): boolean {
  if (existsSync(path)) return false;
  if (!inCI) {
    console.warn(`${tests} skipped: ${path} is not installed (${install})`);
    return true;
  }
  it(`${path} is installed: CI runs ${tests}`, () => {
    expect.fail(`${path} is missing; CI must install it (${install}) rather than skip ${tests}`);
  });
  return false;
}
