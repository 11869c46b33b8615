// The README and docs as the published package carries them: links that resolve inside the tarball, and a first
// section for someone who installed the package rather than cloned the repository.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { files: string[] };
const DOCS = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** Whether the tarball holds a repository path: package.json "files" (a folder, a file or `dir/*.md`), plus what npm always adds. */
function packed(path: string): boolean {
  if (path === "package.json") return true;
  return pkg.files.some((entry) => {
    if (entry.startsWith("!")) return false;
    if (entry.includes("*")) return new RegExp(`^${entry.replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`).test(path);
    return path === entry || path.startsWith(`${entry}/`);
  });
}

/** The relative link targets of a Markdown file outside code blocks: `[text](target)` and `![alt](target)`. */
function relativeLinks(doc: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  let inFence = false;
  readFileSync(join(root, doc), "utf8").split("\n").forEach((text, i) => {
    if (/^\s*```/.test(text)) inFence = !inFence;
    if (inFence) return;
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
      out.push({ line: i + 1, target });
    }
  });
  return out;
}

describe("README and docs in the published package", () => {
  it("every relative link points at a file the tarball holds; others are absolute repository URLs", () => {
    const outside: string[] = [];
    for (const doc of DOCS) {
      for (const { line, target } of relativeLinks(doc)) {
        const path = relative(root, normalize(join(root, dirname(doc), target.split("#")[0]!)));
        if (!existsSync(join(root, path)) || !packed(path)) outside.push(`${doc}:${line}: ${target}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it("the tarball carries no sources or source maps", () => {
    expect(pkg.files.filter((f) => f === "src" || f.startsWith("src/"))).toEqual([]);
    expect(readFileSync(join(root, "tsup.config.ts"), "utf8")).toMatch(/sourcemap:\s*false/);
  });

  it("README's first commands are for an installed package; clone commands are under Contributing", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const firstShell = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(firstShell).toMatch(/^npm install streamtypes/m);
    expect(firstShell).not.toMatch(/npm ci|npm test|npm run/);
    const contributing = readme.indexOf("## Contributing");
    expect(contributing).toBeGreaterThan(0);
    for (const clone of ["npm ci", "npm test", "npm run demo"]) expect(readme.indexOf(clone)).toBeGreaterThan(contributing);
  });
});
