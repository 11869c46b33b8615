// What the code-generating back ends share: constants passed by value, fresh local names, and the checks of the plan's leaf nodes as source.
import { MAX_DEPTH } from "../codecs/codec.js";
import type { NumberNode, PlanField, PlanNode, RecordNode, StringNode, UnionNode } from "./plan.js";
import { countsOwnNames, typeGuard } from "./plan-bytes.js";

/** What the emitters of one source share (a writer's and a reader's): its constants and its local names. */
export class SourcePool {
  readonly constants: unknown[] = [];
  names = 0;
}

/**
 * The part of a code emitter that does not depend on the bytes it writes: emit-msgpack.ts, emit-msgpack-read.ts and
 * emit-json.ts extend it. Every check is an inline condition that throws MISS; constants reach the code as `c[i]`,
 * never as text.
 */
export abstract class SourceEmitter {
  constructor(private readonly pool: SourcePool = new SourcePool()) {}

  /** The values the source's `c[i]` stand for. */
  get constants(): unknown[] {
    return this.pool.constants;
  }

  /** The source that stands for `value`: `c[i]`. */
  protected constant(value: unknown): string {
    const constants = this.pool.constants;
    constants.push(value);
    return `c[${constants.length - 1}]`;
  }

  /**
   * The source that stands for the number `value`: a literal when finite (a number's own spelling, which the JIT
   * folds into the comparison; no schema text), else `c[i]`.
   */
  protected number(value: number): string {
    return typeof value === "number" && Number.isFinite(value) ? `(${String(value)})` : this.constant(value);
  }

  /** A name no other local of the source has. */
  protected local(prefix: string): string {
    return `${prefix}${this.pool.names++}`;
  }

  /**
   * Statements that make sure the object `v`'s enumerable keys are exactly its present fields (required ones, and
   * optional ones not undefined), `count` of them: each key must be a field's, an optional field's value must not
   * be undefined, and the numbers must agree. Anything else (an extra, inherited or non-enumerable key, a field
   * set to undefined) goes the generic way.
   */
  protected keyScan(fields: readonly PlanField[], v: string, count: string): string {
    const seen = this.local("k");
    const key = this.local("key");
    const required = fields.filter((f) => f.required).map((f) => `case ${JSON.stringify(f.key)}:`);
    const optional = fields.filter((f) => !f.required).map((f) => `case ${JSON.stringify(f.key)}: if (${v}[${key}] === undefined) throw MISS; break;`);
    return [
      `let ${seen} = 0;`,
      `for (const ${key} in ${v}) {`,
      `switch (${key}) {`,
      ...(required.length > 0 ? [...required, "break;"] : []),
      ...optional,
      `default: throw MISS;`,
      `}`,
      `${seen}++;`,
      `}`,
      `if (${seen} !== ${count}) throw MISS;`,
    ].join("\n");
  }

  /**
   * Statements that check the record `v` and write it: its own keys in their order, each value by the values' node
   * (or the extra keys' rule, for a key the pattern does not match). `syntax` says how the format writes a record:
   * what opens it (given the keys' array), what goes before an entry (given its index) and its key, and what closes it.
   */
  protected recordWrite(
    node: RecordNode,
    v: string,
    depth: string,
    write: (node: PlanNode, v: string, depth: string) => string,
    syntax: { open(keys: string): string; entry(index: string, key: string, value: string): string; close: string; generic(value: string, depth: string): string },
  ): string {
    const keys = this.local("ks");
    const j = this.local("j");
    const key = this.local("key");
    const value = this.local("val");
    const inner = `${depth} + 1`;
    const onValue = write(node.values, value, inner);
    const onExtra = node.extra === "deny" ? "throw MISS;" : node.extra === "allow" ? syntax.generic(value, inner) : write(node.extra, value, inner);
    return [
      `if (typeof ${v} !== "object" || ${v} === null || getPrototypeOf(${v}) !== OBJECT) throw MISS;`,
      this.containerDepth(depth),
      `const ${keys} = Object.keys(${v});`,
      countsOwnNames(node.extra) ? `if (Object.getOwnPropertyNames(${v}).length !== ${keys}.length) throw MISS;` : "",
      syntax.open(keys),
      `for (let ${j} = 0; ${j} < ${keys}.length; ${j}++) {`,
      `const ${key} = ${keys}[${j}];`,
      `const ${value} = ${v}[${key}];`,
      syntax.entry(j, key, value),
      `if (${this.constant(node.pattern)}.test(${key})) {\n${onValue}\n} else {\n${onExtra}\n}`,
      `}`,
      syntax.close,
    ].join("\n");
  }

  /** Statements that check `v` against a string node (its type included). */
  protected stringChecks(node: StringNode, v: string): string {
    let checks = `if (typeof ${v} !== "string") throw MISS;\n`;
    if (node.minLength !== undefined) checks += `if (${v}.length < ${node.minLength}) throw MISS;\n`;
    if (node.maxLength !== undefined) checks += `if (${v}.length > ${node.maxLength}) throw MISS;\n`;
    if (node.pattern !== undefined) checks += `if (!${this.constant(node.pattern)}.test(${v})) throw MISS;\n`;
    if (node.format !== undefined) checks += `if (!${this.constant(node.format)}(${v})) throw MISS;\n`;
    return checks;
  }

  /** Statements that check `v` against a number node (its type included). */
  protected numberChecks(node: NumberNode, v: string): string {
    let checks = node.integer ? `if (typeof ${v} !== "number" || !isInteger(${v})) throw MISS;\n` : `if (typeof ${v} !== "number" || !isFinite(${v})) throw MISS;\n`;
    const bound = (value: number | undefined, refused: string) => (value === undefined ? "" : `if (${v} ${refused} ${this.number(value)}) throw MISS;\n`);
    checks += bound(node.minimum, "<") + bound(node.maximum, ">") + bound(node.exclusiveMinimum, "<=") + bound(node.exclusiveMaximum, ">=");
    if (node.multipleOf !== undefined) checks += `if (${v} % ${this.number(node.multipleOf)} !== 0) throw MISS;\n`;
    return checks;
  }

  /**
   * The depth rule of the generic codecs (a container at depth MAX_DEPTH or deeper is refused), for a container
   * at `depth`: checked at run time only where a recursive plan makes the depth dynamic.
   */
  protected containerDepth(depth: string): string {
    if (depth.includes("D")) return `if (${depth} >= ${MAX_DEPTH}) throw MISS;`;
    return depth.split("+").reduce((sum, term) => sum + Number(term), 0) >= MAX_DEPTH ? "throw MISS;" : "";
  }

  /**
   * Statements that write `v` as a member of a union, with `write(member)` giving a member's statements: by the
   * discriminator's value, or each member in order (as anyOf checks them), rewinding what a refusing member
   * wrote (relative to the frame's start: a member that grew the buffer moved the frame).
   */
  protected unionWrite(node: UnionNode, v: string, write: (member: PlanNode) => string): string {
    const discriminator = node.discriminator;
    if (discriminator !== undefined) {
      const cases = [...discriminator.members].map(([value, index]) => `case ${this.constant(value)}: {\n${write(node.members[index]!)}\nbreak;\n}`);
      return `if (typeof ${v} !== "object" || ${v} === null) throw MISS;\nswitch (${v}[${JSON.stringify(discriminator.key)}]) {\n${cases.join("\n")}\ndefault: throw MISS;\n}`;
    }
    const label = this.local("u");
    const start = this.local("s");
    const tries = node.members.map(
      (member) => `if (${typeGuard(member, v)}) try {\n${write(member)}\nbreak ${label};\n} catch (x) {\n if (x !== MISS) throw x;\n o.pos = o.start + ${start};\n}`,
    );
    return `${label}: {\nconst ${start} = o.pos - o.start;\n${tries.join("\n")}\nthrow MISS;\n}`;
  }
}
