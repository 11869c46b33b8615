// `streamtypes inspect --schema ./shared.ts#NAME` as an installed CLI runs it (plain node, no tsx loader): the
// TypeScript file loads through the project's tsx, and a project without tsx gets a usage error saying what to do.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Type } from "@sinclair/typebox";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamTypes } from "../src/index.js";

const root = new URL("../", import.meta.url).pathname;
/** The CLI as tsup builds it: one ESM file, dependencies left as imports (resolved from the repository's node_modules). */
const dir = join(root, "node_modules", ".cache", `streamtypes-cli-${process.pid}`);
const cliFile = join(dir, "cli.mjs");
const capture = join(dir, "tokens.bin");

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  await build({ entryPoints: [join(root, "src/cli/cli.ts")], bundle: true, platform: "node", format: "esm", packages: "external", outfile: cliFile, logLevel: "silent" });
  const w = streamTypes(Type.Object({ token: Type.String() })).writer();
  writeFileSync(capture, Buffer.concat([w.item({ token: "a" }), w.item({ token: "b" }), w.end()]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliFile, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("inspect --schema with a TypeScript file", () => {
  it("loads it with the project's tsx, and validates", async () => {
    const { code, stdout, stderr } = await run(["inspect", "--schema", "test/fixtures/cli/shared.ts#TOKENS", capture], root);
    expect(stderr).not.toContain("Unknown file extension");
    expect(code).toBe(0);
    expect(stdout).toContain('"summary":true');
  });

  it("in a project without tsx: a usage error that says to install it or give the compiled .js", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "streamtypes-no-tsx-"));
    try {
      writeFileSync(join(elsewhere, "shared.ts"), "export const TOKENS = 1;\n");
      const { code, stderr } = await run(["inspect", "--schema", "./shared.ts#TOKENS", capture], elsewhere);
      expect(code).toBe(1);
      expect(stderr).toContain("is TypeScript, which Node does not import by itself. Install tsx");
      expect(stderr).not.toContain("Unknown file extension");
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
