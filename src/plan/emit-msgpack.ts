// The generated-code back end for MessagePack: a plan → the source of one function that writes and one that reads, checks fused in (the writer's half here).
import { MAX_DEPTH } from "../codecs/codec.js";
import { SourceEmitter, SourcePool } from "./emit-common.js";
import { MsgpackReadEmitter } from "./emit-msgpack-read.js";
import type { Plan, PlanNode } from "./plan.js";
import { constantBytes } from "./msgpack-write.js";
import { acceptsUndefined, countsOwnNames, planKeyBytes } from "./plan-bytes.js";

/*
 * The source is built once per part, when a definition is made, and run through `new Function` (the entry falls
 * back to the closure back end where a Content-Security-Policy forbids that). Everything a node checks is an
 * inline condition that throws MISS; values are written and read through the helpers of msgpack-write.ts and
 * msgpack-read.ts, except the few tokens the hot path inlines (constant bytes written; common headers, small
 * integers, float 64s and short strings read), so the generated code holds the plan's structure and little of
 * MessagePack's byte rules.
 * Constants (key bytes, patterns, leaf checks) reach the code as `c[i]`, never as text: no schema text is ever
 * spliced into the source except through JSON.stringify, as property names.
 */

/** The source of the write and read functions of a plan, and the constants they use. */
export interface MsgpackSource {
  readonly source: string;
  readonly constants: readonly unknown[];
}

/**
 * The factory source for `plan`: `new Function("h", "c", source)(helpers, constants)` returns `{ write, read }`.
 *
 * @example
 * const { source, constants } = emitMsgpack(plan);
 * const codec = new Function("h", "c", source)(helpers, constants);
 */
export function emitMsgpack(plan: Plan): MsgpackSource {
  const pool = new SourcePool();
  const emitter = new Emitter(plan, pool, new MsgpackReadEmitter(pool));
  return { source: emitter.source(), constants: emitter.constants };
}

/** The writer's half, and the source of both halves put together. */
class Emitter extends SourceEmitter {
  constructor(
    private readonly plan: Plan,
    pool: SourcePool,
    private readonly reader: MsgpackReadEmitter,
  ) {
    super(pool);
  }

  source(): string {
    const definitions = this.plan.definitions.map(
      (node, i) =>
        `function w${i}(V, D) {\n if (D >= ${MAX_DEPTH}) throw h.MISS;\n${this.write(node, "V", "D")}\n}\n` +
        this.reader.definition(`r${i}`, node),
    );
    return [
      `"use strict";`,
      `const MISS = h.MISS, OBJECT = Object.prototype, getPrototypeOf = Object.getPrototypeOf, isArray = Array.isArray, isInteger = Number.isInteger, isFinite = Number.isFinite;`,
      `const writeNumber = h.writeNumber, writeString = h.writeString, writeRaw = h.writeRaw, writeByte = h.writeByte, writeArrayHeader = h.writeArrayHeader, writeMapHeader = h.writeMapHeader, writeGeneric = h.writeGeneric;`,
      `const readNumber = h.readNumber, readString = h.readString, readRaw = h.readRaw, readArrayHeader = h.readArrayHeader, readMapHeader = h.readMapHeader, readBoolean = h.readBoolean, readNull = h.readNull, readGeneric = h.readGeneric, textAt = h.textAt, float64At = h.float64At;`,
      `let o, i;`,
      ...definitions,
      `function write(V, out) {\n o = out;\n${this.write(this.plan.root, "V", "0")}\n}`,
      this.reader.entry(this.plan.root),
      `return { write, read };`,
    ].join("\n");
  }

  /** Statements that check `v` against `node` and write it (`depth`: its nesting, an expression). */
  private write(node: PlanNode, v: string, depth: string): string {
    switch (node.kind) {
      case "object": {
        const lines = [`if (typeof ${v} !== "object" || ${v} === null || getPrototypeOf(${v}) !== OBJECT) throw MISS;`];
        const optional = node.fields.filter((f) => !f.required);
        const values = node.fields.map((f) => [f, this.local("f")] as const);
        for (const [field, name] of values) lines.push(`const ${name} = ${v}[${JSON.stringify(field.key)}];`);
        const count = this.local("n");
        lines.push(`let ${count} = ${node.fields.length - optional.length};`);
        for (const [field, name] of values) if (!field.required) lines.push(`if (${name} !== undefined) ${count}++;`);
        // Any key beyond the present fields (extra, inherited, or a field set to undefined) goes the generic way.
        lines.push(this.keyScan(node.fields, v, count));
        if (countsOwnNames(node.extra)) lines.push(`if (Object.getOwnPropertyNames(${v}).length !== ${count}) throw MISS;`);
        lines.push(this.containerDepth(depth));
        // Without optional fields the map's header is known, and written with the first key as one run of bytes.
        const header = optional.length === 0 ? constantBytes({ map: node.fields.length }) : undefined;
        if (header === undefined) lines.push(`writeMapHeader(o, ${count});`);
        else if (values.length === 0) lines.push(this.writeBytes(header));
        for (const [field, name] of values) {
          const key = planKeyBytes(field.key);
          const bytes = header !== undefined && field === node.fields[0] ? joinBytes(header, key) : key;
          const body = [this.writeBytes(bytes), this.write(field.node, name, `${depth} + 1`)];
          if (field.required) {
            if (acceptsUndefined(field.node, this.plan)) lines.push(`if (!(${JSON.stringify(field.key)} in ${v})) throw MISS;`);
            lines.push(...body);
          } else {
            lines.push(`if (${name} !== undefined) {`, ...body, `}`);
          }
        }
        return lines.join("\n");
      }
      case "array": {
        const n = this.local("n");
        const j = this.local("j");
        const e = this.local("e");
        return [
          `if (!isArray(${v}) || ${v}.constructor !== Array) throw MISS;`,
          this.containerDepth(depth),
          `const ${n} = ${v}.length;`,
          node.minItems !== undefined ? `if (${n} < ${node.minItems}) throw MISS;` : "",
          node.maxItems !== undefined ? `if (${n} > ${node.maxItems}) throw MISS;` : "",
          `writeArrayHeader(o, ${n});`,
          `for (let ${j} = 0; ${j} < ${n}; ${j}++) {`,
          `const ${e} = ${v}[${j}];`,
          this.write(node.items, e, `${depth} + 1`),
          `}`,
        ].join("\n");
      }
      case "tuple": {
        const lines = [`if (!isArray(${v}) || ${v}.constructor !== Array || ${v}.length !== ${node.items.length}) throw MISS;`, this.containerDepth(depth), `writeArrayHeader(o, ${node.items.length});`];
        node.items.forEach((item, index) => {
          const e = this.local("e");
          lines.push(`const ${e} = ${v}[${index}];`, this.write(item, e, `${depth} + 1`));
        });
        return lines.join("\n");
      }
      case "string":
        return `${this.stringChecks(node, v)}writeString(o, ${v});`;
      case "number":
        return `${this.numberChecks(node, v)}writeNumber(o, ${v});`;
      case "boolean":
        return `if (${v} === true) writeByte(o, 0xc3); else if (${v} === false) writeByte(o, 0xc2); else throw MISS;`;
      case "null":
        return `if (${v} !== null) throw MISS;\nwriteByte(o, 0xc0);`;
      case "literal":
        // A number literal is written as the value is (-0 passes a check against 0, and keeps its sign).
        if (typeof node.value === "number") return `if (${v} !== ${this.constant(node.value)}) throw MISS;\nwriteNumber(o, ${v});`;
        return `if (${v} !== ${this.constant(node.value)}) throw MISS;\n${this.writeBytes(constantBytes({ literal: node.value }))}`;
      case "union":
        return this.unionWrite(node, v, (member) => this.write(member, v, depth));
      case "record":
        return this.recordWrite(node, v, depth, (n, value, d) => this.write(n, value, d), {
          open: (keys) => `writeMapHeader(o, ${keys}.length);`,
          entry: (_index, key) => `writeString(o, ${key});`,
          close: "",
          generic: (value, d) => `writeGeneric(o, ${value}, ${d});`,
        });
      case "leaf":
        return `if (!${this.constant(node.check)}(${v})) throw MISS;\nwriteGeneric(o, ${v}, ${depth});`;
      case "ref":
        return `w${node.target}(${v}, ${depth});`;
      case "any":
        return `writeGeneric(o, ${v}, ${depth});`;
    }
  }

  /** A statement that writes the constant `bytes` (a key, a header): inline stores for short ones. */
  private writeBytes(bytes: Uint8Array): string {
    if (bytes.length > 16) return `writeRaw(o, ${this.constant(bytes)});`;
    const stores = Array.from(bytes, (byte, k) => `b[p + ${k}] = ${byte};`).join(" ");
    return `o.ensure(${bytes.length}); { const b = o.bytes, p = o.pos; ${stores} o.pos = p + ${bytes.length}; }`;
  }

}

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
