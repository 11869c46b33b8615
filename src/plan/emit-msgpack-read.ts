// The generated-code back end for MessagePack, the reader's half: statements that decode and check a plan's values in one pass.
import { MAX_DEPTH } from "../codecs/codec.js";
import { SourceEmitter, type SourcePool } from "./emit-common.js";
import type { PlanNode } from "./plan.js";
import { planKeyBytes } from "./plan-bytes.js";

/**
 * The reader's functions of a plan's source (emit-msgpack.ts puts them together with the writer's): `read(input)`,
 * and `r<i>(D)` for each recursive definition. Anything unexpected throws MISS, and the generic strict decoder
 * then reads the payload again and reports it.
 *
 * @example
 * const reader = new MsgpackReadEmitter(pool);
 * reader.entry(plan.root); // "function read(input) { ... }"
 */
export class MsgpackReadEmitter extends SourceEmitter {
  constructor(pool: SourcePool) {
    super(pool);
  }

  /** The function that reads a payload of `root` from the Input it is given. */
  entry(root: PlanNode): string {
    return `function read(input) {\n i = input;\n${this.body(root, "0")}\n}`;
  }

  /** The function `name(D)` that reads a recursive definition's value at depth D from the shared Input. */
  definition(name: string, node: PlanNode): string {
    return `function ${name}(D) {\n if (D >= ${MAX_DEPTH}) throw h.MISS;\n${this.body(node, "D")}\n}\n`;
  }

  private body(node: PlanNode, depth: string): string {
    return ` const b = i.bytes, e = i.end;\n let p = i.pos;\n${this.read(node, "R", depth)}\n i.pos = p;\n return R;`;
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
