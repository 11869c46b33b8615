// The JSON writer back end: a plan → the source of one function that checks a value and writes its JSON text, as JSON.stringify would.
import { MAX_DEPTH } from "../codecs/codec.js";
import type { Plan, PlanNode } from "./plan.js";
import { SourceEmitter } from "./emit-common.js";
import { acceptsUndefined, countsOwnNames } from "./plan-bytes.js";
import { jsonBytes } from "./json-write.js";

/*
 * For the framings that carry JSON (SSE, NDJSON, binary(json()), truss). Like emit-msgpack.ts: each node's checks
 * are inline conditions that throw MISS, the bytes come from the helpers of json-write.ts, and constants reach the
 * code as `c[i]`. Keys and literals are written from bytes prepared here (`{"id":`, `,"words":`); strings with
 * nothing to escape are copied; numbers through the engine's own number-to-text. Objects are written in the plan's
 * key order; a value with other keys (or keys JSON.stringify would drop) goes the generic way. Leaf kinds never
 * reach here (a JSON definition refuses them). There is no JSON reading back end: JSON.parse is the engine's own.
 */

/**
 * The factory source for `plan`: `new Function("h", "c", source)(helpers, constants)` returns `{ write }`.
 *
 * @example
 * const { source, constants } = emitJson(plan);
 */
export function emitJson(plan: Plan): { source: string; constants: unknown[] } {
  const emitter = new JsonEmitter(plan);
  const definitions = plan.definitions.map((node, i) => `function w${i}(V, D) {\n if (D >= ${MAX_NESTING}) throw MISS;\n${emitter.write(node, "V", "D")}\n}`);
  const source = [
    `"use strict";`,
    `const MISS = h.MISS, OBJECT = Object.prototype, getPrototypeOf = Object.getPrototypeOf, isArray = Array.isArray, isInteger = Number.isInteger, isFinite = Number.isFinite;`,
    `const writeJsonString = h.writeJsonString, writeJsonNumber = h.writeJsonNumber, writeJsonRaw = h.writeJsonRaw, writeJsonByte = h.writeJsonByte, writeJsonGeneric = h.writeJsonGeneric, encodeGeneric = h.encodeGeneric, NEGATIVE_ZERO = h.negativeZero;`,
    `let o;`,
    ...definitions,
    `function write(V, out) {\n o = out;\n${emitter.write(plan.root, "V", "0")}\n}`,
    `return { write };`,
  ].join("\n");
  return { source, constants: emitter.constants };
}

/** The generic JSON codec's own depth limit (write-check.ts): deeper values go its way, and it reports them. */
const MAX_NESTING = MAX_DEPTH;

class JsonEmitter extends SourceEmitter {
  constructor(private readonly plan: Plan) {
    super();
  }

  /** Statements that check `v` against `node` and write its JSON text. */
  write(node: PlanNode, v: string, depth: string): string {
    switch (node.kind) {
      case "object": {
        const lines = [`if (typeof ${v} !== "object" || ${v} === null || getPrototypeOf(${v}) !== OBJECT) throw MISS;`];
        const values = node.fields.map((f) => [f, this.local("f")] as const);
        for (const [field, name] of values) lines.push(`const ${name} = ${v}[${JSON.stringify(field.key)}];`);
        const count = this.local("n");
        lines.push(`let ${count} = ${node.fields.filter((f) => f.required).length};`);
        for (const [field, name] of values) if (!field.required) lines.push(`if (${name} !== undefined) ${count}++;`);
        lines.push(this.keyScan(node.fields, v, count));
        if (countsOwnNames(node.extra)) lines.push(`if (Object.getOwnPropertyNames(${v}).length !== ${count}) throw MISS;`);
        lines.push(this.containerDepth(depth));
        if (node.fields.every((f) => f.required)) {
          // Every key is known: `{"a":` then `,"b":` … then `}`.
          node.fields.forEach((field, index) => {
            lines.push(`writeJsonRaw(o, ${this.constant(jsonBytes(`${index === 0 ? "{" : ","}${JSON.stringify(field.key)}:`))});`);
            if (acceptsUndefined(field.node, this.plan)) lines.push(`if (!(${JSON.stringify(field.key)} in ${v})) throw MISS;`);
            lines.push(this.write(field.node, values[index]![1], `${depth} + 1`));
          });
          lines.push(node.fields.length === 0 ? `writeJsonRaw(o, ${this.constant(jsonBytes("{}"))});` : `writeJsonByte(o, 0x7d);`);
          return lines.join("\n");
        }
        const first = this.local("first");
        lines.push(`writeJsonByte(o, 0x7b);`, `let ${first} = true;`);
        for (const [field, name] of values) {
          const body = [
            `if (!${first}) writeJsonByte(o, 0x2c);`,
            `${first} = false;`,
            `writeJsonRaw(o, ${this.constant(jsonBytes(`${JSON.stringify(field.key)}:`))});`,
            this.write(field.node, name, `${depth} + 1`),
          ];
          if (field.required) {
            if (acceptsUndefined(field.node, this.plan)) lines.push(`if (!(${JSON.stringify(field.key)} in ${v})) throw MISS;`);
            lines.push(...body);
          } else {
            lines.push(`if (${name} !== undefined) {`, ...body, `}`);
          }
        }
        lines.push(`writeJsonByte(o, 0x7d);`);
        return lines.join("\n");
      }
      case "array":
      case "tuple": {
        const n = this.local("n");
        const j = this.local("j");
        const e = this.local("e");
        const bounds =
          node.kind === "tuple"
            ? `if (${n} !== ${node.items.length}) throw MISS;`
            : `${node.minItems !== undefined ? `if (${n} < ${node.minItems}) throw MISS;` : ""}${node.maxItems !== undefined ? `if (${n} > ${node.maxItems}) throw MISS;` : ""}`;
        const element =
          node.kind === "array"
            ? this.write(node.items, e, `${depth} + 1`)
            : `switch (${j}) {\n${node.items.map((item, index) => `case ${index}: {\n${this.write(item, e, `${depth} + 1`)}\nbreak;\n}`).join("\n")}\n}`;
        return [
          `if (!isArray(${v}) || ${v}.constructor !== Array) throw MISS;`,
          this.containerDepth(depth),
          `const ${n} = ${v}.length;`,
          bounds,
          `writeJsonByte(o, 0x5b);`,
          `for (let ${j} = 0; ${j} < ${n}; ${j}++) {`,
          `if (${j} > 0) writeJsonByte(o, 0x2c);`,
          `const ${e} = ${v}[${j}];`,
          element,
          `}`,
          `writeJsonByte(o, 0x5d);`,
        ].join("\n");
      }
      case "string":
        return `${this.stringChecks(node, v)}writeJsonString(o, ${v});`;
      case "number":
        return `${this.numberChecks(node, v)}writeJsonNumber(o, ${v}, NEGATIVE_ZERO);`;
      case "boolean":
        return `if (${v} === true) writeJsonRaw(o, ${this.constant(jsonBytes("true"))}); else if (${v} === false) writeJsonRaw(o, ${this.constant(jsonBytes("false"))}); else throw MISS;`;
      case "null":
        return `if (${v} !== null) throw MISS;\nwriteJsonRaw(o, ${this.constant(jsonBytes("null"))});`;
      case "literal":
        // A number literal is written as numbers are (its -0 spelled by the codec): only strings and booleans are fixed bytes.
        return typeof node.value === "number"
          ? `if (${v} !== ${this.constant(node.value)}) throw MISS;\nwriteJsonNumber(o, ${v}, NEGATIVE_ZERO);`
          : `if (${v} !== ${this.constant(node.value)}) throw MISS;\nwriteJsonRaw(o, ${this.constant(jsonBytes(JSON.stringify(node.value)))});`;
      case "union":
        return this.unionWrite(node, v, (member) => this.write(member, v, depth));
      case "record":
        // JSON.stringify drops a key whose value is undefined: such a record goes the generic way.
        return this.recordWrite(node, v, depth, (n, value, d) => this.write(n, value, d), {
          open: () => `writeJsonByte(o, 0x7b);`,
          entry: (index, key, value) => `if (${value} === undefined) throw MISS;\nif (${index} > 0) writeJsonByte(o, 0x2c);\nwriteJsonString(o, ${key});\nwriteJsonByte(o, 0x3a);`,
          close: `writeJsonByte(o, 0x7d);`,
          generic: (value, d) => `writeJsonGeneric(o, ${value}, encodeGeneric, ${d});`,
        });
      case "leaf":
        return `throw MISS;`;
      case "ref":
        return `w${node.target}(${v}, ${depth});`;
      case "any":
        return `writeJsonGeneric(o, ${v}, encodeGeneric, ${depth});`;
    }
  }
}
