// The smallest patches from one partial object to the next: for producers that only have whole partial objects (another SDK's stream of them).
import type { Patch, PathKey } from "./patch.js";

/**
 * The patches that turn `prev` into `next`, at `path`, appended to `out`: a longer string is an `append`, a longer
 * array `push`es, a new property is a `set`; anything else that changed (a shorter string, a removed property, a
 * number) is `set` again. Properties whose value is `undefined` are left out. Costs the size of `next`.
 *
 * @example
 * partialDiff({ title: "Pan" }, { title: "Pancakes", tags: [] }, [], out);
 * // out: [{ op: "append", path: ["title"], text: "cakes" }, { op: "set", path: ["tags"], value: [] }]
 */
export function partialDiff(prev: unknown, next: unknown, path: readonly PathKey[], out: Patch[]): void {
  if (Object.is(prev, next) && (typeof next !== "object" || next === null)) return;
  if (typeof prev === "string" && typeof next === "string" && next.startsWith(prev)) {
    if (next.length > prev.length) out.push({ op: "append", path, text: next.slice(prev.length) });
    return;
  }
  if (Array.isArray(prev) && Array.isArray(next) && next.length >= prev.length) {
    for (let i = 0; i < prev.length; i++) partialDiff(prev[i], next[i], [...path, i], out);
    for (let i = prev.length; i < next.length; i++) out.push({ op: "push", path, value: next[i] });
    return;
  }
  if (isRecord(prev) && isRecord(next) && Object.keys(prev).every((k) => next[k] !== undefined)) {
    for (const key of Object.keys(next)) {
      const value = next[key];
      if (value === undefined) continue;
      if (Object.hasOwn(prev, key)) partialDiff(prev[key], value, [...path, key], out);
      else out.push({ op: "set", path: [...path, key], value });
    }
    return;
  }
  if (!sameValue(prev, next)) out.push({ op: "set", path, value: next });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x) && !(x instanceof Date);
}

/** Deep equality of JSON-like values (and Dates, typed arrays by their bytes). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.byteLength !== b.byteLength || a.constructor !== b.constructor) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.every((v, i) => v === y[i]);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
