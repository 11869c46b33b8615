// The generated-code back end for MessagePack: a plan → the source of one function that writes and one that reads, checks fused in.
import { MAX_DEPTH } from "../codecs/codec.js";
import { SourceEmitter } from "./emit-common.js";
import type { Plan, PlanNode } from "./plan.js";
import { constantBytes } from "./msgpack-write.js";
import { acceptsUndefined, countsOwnNames, planKeyBytes } from "./plan-bytes.js";

/*
 * The source is built once per part, when a definition is made, and run through `new Function` (the entry falls
 * back to the closure back end where a Content-Security-Policy forbids that). Everything a node checks is an
 * inline condition that throws MISS; every value is written and read through the helpers of msgpack-write.ts and
 * msgpack-read.ts, so the generated code holds the plan's structure and nothing of MessagePack's byte rules.
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
  const emitter = new Emitter(plan);
  return { source: emitter.source(), constants: emitter.constants };
}

class Emitter extends SourceEmitter {
  constructor(private readonly plan: Plan) {
    super();
  }

  source(): string {
    const definitions = this.plan.definitions.map(
      (node, i) =>
        `function w${i}(V, D) {\n if (D >= ${MAX_DEPTH}) throw h.MISS;\n${this.write(node, "V", "D")}\n}\n` +
        `function r${i}(D) {\n if (D >= ${MAX_DEPTH}) throw h.MISS;\n const b = i.bytes, e = i.end;\n let p = i.pos;\n${this.read(node, "R", "D")}\n i.pos = p;\n return R;\n}\n`,
    );
    return [
      `"use strict";`,
      `const MISS = h.MISS, OBJECT = Object.prototype, getPrototypeOf = Object.getPrototypeOf, isArray = Array.isArray, isInteger = Number.isInteger, isFinite = Number.isFinite;`,
      `const writeNumber = h.writeNumber, writeString = h.writeString, writeRaw = h.writeRaw, writeByte = h.writeByte, writeArrayHeader = h.writeArrayHeader, writeMapHeader = h.writeMapHeader, writeGeneric = h.writeGeneric;`,
      `const readNumber = h.readNumber, readString = h.readString, readRaw = h.readRaw, readArrayHeader = h.readArrayHeader, readMapHeader = h.readMapHeader, readBoolean = h.readBoolean, readNull = h.readNull, readGeneric = h.readGeneric, textAt = h.textAt, float64At = h.float64At;`,
      `let o, i;`,
      ...definitions,
      `function write(V, out) {\n o = out;\n${this.write(this.plan.root, "V", "0")}\n}`,
      `function read(input) {\n i = input;\n const b = i.bytes, e = i.end;\n let p = i.pos;\n${this.read(this.plan.root, "R", "0")}\n i.pos = p;\n return R;\n}`,
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

  /*
   * The reader keeps the payload's bytes, position and end in locals `b`, `p` and `e` (a function's own registers,
   * not an object's fields), reads the common tokens inline (fixmap and fixarray headers, positive fixints, float
   * 64s, fixstr strings) and hands anything else to a helper through the shared Input: `i.pos = p` before, `p =
   * i.pos` after (viaInput).
   */

  /** Statements that run `call` (a helper taking the Input) with the position handed over and taken back. */
  private viaInput(statement: string): string {
    return `i.pos = p;\n${statement}\np = i.pos;`;
  }

  /** A statement that reads past the bytes `raw` (a key) or throws MISS: inline compares for short ones. */
  private expectRaw(raw: Uint8Array): string {
    if (raw.length > 16) return this.viaInput(`if (!readRaw(i, ${this.constant(raw)})) throw MISS;`);
    const compares = Array.from(raw, (byte, k) => `b[p + ${k}] !== ${byte}`).join(" || ");
    return `if (e - p < ${raw.length} || ${compares}) throw MISS;\np += ${raw.length};`;
  }

  /** An expression that is true, having read past them, when the next bytes are `raw` (a key): inline for short ones. */
  private rawTest(raw: Uint8Array): string {
    if (raw.length > 16) return `((i.pos = p), readRaw(i, ${this.constant(raw)}) && ((p = i.pos), true))`;
    const compares = Array.from(raw, (byte, k) => `b[p + ${k}] === ${byte}`).join(" && ");
    return `(e - p >= ${raw.length} && ${compares} && ((p += ${raw.length}), true))`;
  }

  /** Statements that read a container's header into `target`: a fix-size one inline, the others by `helper`. */
  private headerRead(target: string, fix: number, helper: string): string {
    return `let ${target};\n{ const t = b[p]; if ((t & 0xf0) === ${fix} && p < e) { ${target} = t & 15; p++; } else { ${this.viaInput(`${target} = ${helper}(i);`)} } }`;
  }

  /** Statements that read a value of `node` into a new local `target` (`depth`: its nesting, an expression). */
  private read(node: PlanNode, target: string, depth: string): string {
    switch (node.kind) {
      case "object": {
        const lines: string[] = [];
        const optional = node.fields.some((f) => !f.required);
        lines.push(this.containerDepth(depth));
        if (!optional) {
          // Every key in the plan's order, each compared as bytes: the object is built as one literal.
          const count = node.fields.length;
          if (count < 16) lines.push(`if (b[p] === ${0x80 + count} && p < e) p++;\nelse { ${this.viaInput(`if (readMapHeader(i) !== ${count}) throw MISS;`)} }`);
          else lines.push(this.viaInput(`if (readMapHeader(i) !== ${count}) throw MISS;`));
          const names = node.fields.map((field) => {
            const name = this.local("f");
            lines.push(this.expectRaw(planKeyBytes(field.key)), this.read(field.node, name, `${depth} + 1`));
            return `${JSON.stringify(field.key)}: ${name}`;
          });
          lines.push(`const ${target} = { ${names.join(", ")} };`);
          return lines.join("\n");
        }
        const left = this.local("n");
        lines.push(this.headerRead(left, 0x80, "readMapHeader"), `const ${target} = {};`);
        for (const field of node.fields) {
          const name = this.local("f");
          const key = JSON.stringify(field.key);
          lines.push(
            `if (${left} > 0 && ${this.rawTest(planKeyBytes(field.key))}) {`,
            this.read(field.node, name, `${depth} + 1`),
            `${target}[${key}] = ${name};`,
            `${left}--;`,
            field.required ? `} else throw MISS;` : `}`,
          );
        }
        lines.push(`if (${left} !== 0) throw MISS;`);
        return lines.join("\n");
      }
      case "array": {
        const n = this.local("n");
        const j = this.local("j");
        const item = this.local("e");
        return [
          this.containerDepth(depth),
          this.headerRead(n, 0x90, "readArrayHeader"),
          node.minItems !== undefined ? `if (${n} < ${node.minItems}) throw MISS;` : "",
          node.maxItems !== undefined ? `if (${n} > ${node.maxItems}) throw MISS;` : "",
          `const ${target} = new Array(${n});`,
          `for (let ${j} = 0; ${j} < ${n}; ${j}++) {`,
          this.read(node.items, item, `${depth} + 1`),
          `${target}[${j}] = ${item};`,
          `}`,
        ].join("\n");
      }
      case "tuple": {
        const n = this.local("n");
        const lines = [this.containerDepth(depth), this.headerRead(n, 0x90, "readArrayHeader"), `if (${n} !== ${node.items.length}) throw MISS;`];
        const names = node.items.map((item) => {
          const name = this.local("e");
          lines.push(this.read(item, name, `${depth} + 1`));
          return name;
        });
        lines.push(`const ${target} = [${names.join(", ")}];`);
        return lines.join("\n");
      }
      case "string":
        return (
          `let ${target};\n` +
          `{ const t = b[p]; if ((t & 0xe0) === 0xa0 && p < e) { const n = t & 31; if (n >= e - p) throw MISS; ${target} = textAt(b, p + 1, n); p += n + 1; }` +
          ` else { ${this.viaInput(`${target} = readString(i);`)} } }\n${this.stringChecks(node, target)}`
        );
      case "number":
        return (
          `let ${target};\n` +
          `{ const t = b[p]; if (t < 0x80 && p < e) { ${target} = t; p++; } else if (t === 0xcb && e - p >= 9) { ${target} = float64At(b, p + 1); p += 9; }` +
          ` else { ${this.viaInput(`${target} = readNumber(i);`)} } }\n${this.numberChecks(node, target)}`
        );
      case "boolean":
        return this.viaInput(`const ${target} = readBoolean(i);`);
      case "null":
        return this.viaInput(`const ${target} = readNull(i);`);
      case "literal": {
        // A string literal is compared as bytes; a number or boolean is read, then compared.
        const value = this.constant(node.value);
        if (typeof node.value === "string") return `${this.expectRaw(planKeyBytes(node.value))}\nconst ${target} = ${value};`;
        return `${this.viaInput(`const ${target} = ${typeof node.value === "number" ? "readNumber" : "readBoolean"}(i);`)}\nif (${target} !== ${value}) throw MISS;`;
      }
      case "union": {
        // Members in order; one that does not take the bytes rewinds.
        const label = this.local("u");
        const start = this.local("s");
        const tries = node.members.map((member) => {
          const name = this.local("m");
          return `try {\n${this.read(member, name, depth)}\n${target} = ${name};\nbreak ${label};\n} catch (x) {\n if (x !== MISS) throw x;\n p = ${start};\n}`;
        });
        return `let ${target};\n${label}: {\nconst ${start} = p;\n${tries.join("\n")}\nthrow MISS;\n}`;
      }
      case "record": {
        const n = this.local("n");
        const key = this.local("key");
        const value = this.local("val");
        const pattern = this.constant(node.pattern);
        const onValue = `${this.read(node.values, value, `${depth} + 1`)}\n${target}[${key}] = ${value};`;
        const onExtra =
          node.extra === "deny"
            ? "throw MISS;"
            : node.extra === "allow"
              ? this.viaInput(`${target}[${key}] = readGeneric(i, ${depth} + 1);`)
              : `${this.read(node.extra, value, `${depth} + 1`)}\n${target}[${key}] = ${value};`;
        return [
          this.containerDepth(depth),
          this.headerRead(n, 0x80, "readMapHeader"),
          `const ${target} = {};`,
          `while (${n}-- > 0) {`,
          this.viaInput(`const ${key} = readString(i);`),
          `if (${key} === "__proto__") throw MISS;`,
          `if (${pattern}.test(${key})) {\n${onValue}\n} else {\n${onExtra}\n}`,
          `}`,
        ].join("\n");
      }
      case "leaf":
        return `${this.viaInput(`const ${target} = readGeneric(i, ${depth});`)}\nif (!${this.constant(node.check)}(${target})) throw MISS;`;
      case "ref":
        return this.viaInput(`const ${target} = r${node.target}(${depth});`);
      case "any":
        return this.viaInput(`const ${target} = readGeneric(i, ${depth});`);
    }
  }
}

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
