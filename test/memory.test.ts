// Memory held while reading: a long stream in small chunks must not keep what was already read.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

describe("memory", () => {
  it("reading 60,000 items in 16-byte chunks holds no more at the end than half-way", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", "test/memory-child.ts"], {
      timeout: 60_000,
    });
    const { count, growthBytes } = JSON.parse(stdout) as { count: number; growthBytes: number };
    expect(count).toBe(60_000);
    // The second half reads about 130,000 chunks; keeping even 100 bytes of each would add 13 MB.
    expect(growthBytes).toBeLessThan(4 * 1024 * 1024);
  });
});
