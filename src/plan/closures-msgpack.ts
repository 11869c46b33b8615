// The closure back end for MessagePack: the same plan as nested closures, for pages whose Content-Security-Policy forbids generated code.
import { MAX_DEPTH, MISS } from "../codecs/codec.js";
import type { Output } from "../codecs/output.js";
import type { Input } from "./msgpack-read.js";
import type { MsgpackHelpers, PlanFunctions } from "./compile-msgpack.js";
import type { NumberNode, Plan, PlanNode, StringNode } from "./plan.js";
import { constantBytes, planKeyBytes } from "./plan-bytes.js";

type Writer = (v: unknown, out: Output, depth: number) => void;
type Reader = (input: Input, depth: number) => unknown;

/**
 * The plan's functions as closures: no eval, so they run under any CSP; each node checks exactly what the
 * generated code checks (emit-msgpack.ts), in the same order, and throws MISS where it does.
 *
 * @example
 * const functions = closureFunctions(plan, msgpackHelpers(undefined));
 */
export function closureFunctions(plan: Plan, h: MsgpackHelpers): PlanFunctions {
  // Definitions are built lazily, so that a recursive plan's closures can refer to each other.
  const writers: Writer[] = [];
  const readers: Reader[] = [];
  const refWriter = (target: number): Writer => (v, out, depth) => {
    if (depth >= MAX_DEPTH) throw MISS;
    writers[target]!(v, out, depth);
  };
  const refReader = (target: number): Reader => (input, depth) => {
    if (depth >= MAX_DEPTH) throw MISS;
    return readers[target]!(input, depth);
  };
  const build = new Builder(h, refWriter, refReader);
  plan.definitions.forEach((node, i) => {
    writers[i] = build.writer(node);
    readers[i] = build.reader(node);
  });
  const write = build.writer(plan.root);
  const read = build.reader(plan.root);
  return { write: (value, out) => write(value, out, 0), read: (input) => read(input, 0) };
}

class Builder {
  constructor(
    private readonly h: MsgpackHelpers,
    private readonly refWriter: (target: number) => Writer,
    private readonly refReader: (target: number) => Reader,
  ) {}

  writer(node: PlanNode): Writer {
    const h = this.h;
    switch (node.kind) {
      case "object": {
        const fields = node.fields.map((f) => ({ key: f.key, required: f.required, any: f.node.kind === "any", raw: planKeyBytes(f.key), write: this.writer(f.node) }));
        const required = fields.filter((f) => f.required).length;
        return (v, out, depth) => {
          if (typeof v !== "object" || v === null || Object.getPrototypeOf(v) !== Object.prototype) throw MISS;
          const o = v as Record<string, unknown>;
          let count = required;
          for (const f of fields) if (!f.required && o[f.key] !== undefined) count++;
          let seen = 0;
          for (const _ in o) seen++;
          if (seen !== count) throw MISS;
          h.writeMapHeader(out, count);
          for (const f of fields) {
            const value = o[f.key];
            if (f.required ? f.any && !(f.key in o) : value === undefined) {
              if (f.required) throw MISS;
              continue;
            }
            h.writeRaw(out, f.raw);
            f.write(value, out, depth + 1);
          }
        };
      }
      case "array": {
        const item = this.writer(node.items);
        const { minItems, maxItems } = node;
        return (v, out, depth) => {
          if (!Array.isArray(v) || v.constructor !== Array) throw MISS;
          const n = v.length;
          if ((minItems !== undefined && n < minItems) || (maxItems !== undefined && n > maxItems)) throw MISS;
          h.writeArrayHeader(out, n);
          for (let j = 0; j < n; j++) item(v[j], out, depth + 1);
        };
      }
      case "tuple": {
        const items = node.items.map((item) => this.writer(item));
        return (v, out, depth) => {
          if (!Array.isArray(v) || v.constructor !== Array || v.length !== items.length) throw MISS;
          h.writeArrayHeader(out, items.length);
          for (let j = 0; j < items.length; j++) items[j]!(v[j], out, depth + 1);
        };
      }
      case "string": {
        const check = stringCheck(node);
        return (v, out) => {
          if (typeof v !== "string" || !check(v)) throw MISS;
          h.writeString(out, v);
        };
      }
      case "number": {
        const check = numberCheck(node);
        return (v, out) => {
          if (!check(v)) throw MISS;
          h.writeNumber(out, v as number);
        };
      }
      case "boolean":
        return (v, out) => {
          if (typeof v !== "boolean") throw MISS;
          h.writeByte(out, v ? 0xc3 : 0xc2);
        };
      case "null":
        return (v, out) => {
          if (v !== null) throw MISS;
          h.writeByte(out, 0xc0);
        };
      case "literal": {
        const raw = constantBytes({ literal: node.value });
        const expected = node.value;
        return (v, out) => {
          if (v !== expected) throw MISS;
          h.writeRaw(out, raw);
        };
      }
      case "union": {
        const members = node.members.map((m) => this.writer(m));
        const discriminator = node.discriminator;
        if (discriminator !== undefined) {
          return (v, out, depth) => {
            if (typeof v !== "object" || v === null) throw MISS;
            const index = discriminator.members.get((v as Record<string, string>)[discriminator.key]!);
            if (index === undefined) throw MISS;
            members[index]!(v, out, depth);
          };
        }
        return (v, out, depth) => {
          const start = out.pos - out.start;
          for (const member of members) {
            try {
              member(v, out, depth);
              return;
            } catch (x) {
              if (x !== MISS) throw x;
              out.pos = out.start + start;
            }
          }
          throw MISS;
        };
      }
      case "record": {
        const values = this.writer(node.values);
        const extra = this.extraWriter(node.extra);
        const pattern = node.pattern;
        return (v, out, depth) => {
          if (typeof v !== "object" || v === null || Object.getPrototypeOf(v) !== Object.prototype) throw MISS;
          const keys = Object.keys(v);
          h.writeMapHeader(out, keys.length);
          for (const key of keys) {
            const value = (v as Record<string, unknown>)[key];
            h.writeString(out, key);
            (pattern === undefined || pattern.test(key) ? values : extra)(value, out, depth + 1);
          }
        };
      }
      case "leaf": {
        const check = node.check;
        return (v, out, depth) => {
          if (!check(v)) throw MISS;
          h.writeGeneric(out, v, depth);
        };
      }
      case "ref":
        return this.refWriter(node.target);
      case "any":
        return (v, out, depth) => h.writeGeneric(out, v, depth);
    }
  }

  private extraWriter(extra: "allow" | "deny" | PlanNode): Writer {
    if (extra === "deny") {
      return () => {
        throw MISS;
      };
    }
    if (extra === "allow") return (v, out, depth) => this.h.writeGeneric(out, v, depth);
    return this.writer(extra);
  }

  reader(node: PlanNode): Reader {
    const h = this.h;
    switch (node.kind) {
      case "object": {
        const fields = node.fields.map((f) => ({ key: f.key, required: f.required, raw: planKeyBytes(f.key), read: this.reader(f.node) }));
        return (input, depth) => {
          let left = h.readMapHeader(input);
          const o: Record<string, unknown> = {};
          for (const f of fields) {
            if (left > 0 && h.readRaw(input, f.raw)) {
              o[f.key] = f.read(input, depth + 1);
              left--;
            } else if (f.required) {
              throw MISS;
            }
          }
          if (left !== 0) throw MISS;
          return o;
        };
      }
      case "array": {
        const item = this.reader(node.items);
        const { minItems, maxItems } = node;
        return (input, depth) => {
          const n = h.readArrayHeader(input);
          if ((minItems !== undefined && n < minItems) || (maxItems !== undefined && n > maxItems)) throw MISS;
          const array = new Array<unknown>(n);
          for (let j = 0; j < n; j++) array[j] = item(input, depth + 1);
          return array;
        };
      }
      case "tuple": {
        const items = node.items.map((item) => this.reader(item));
        return (input, depth) => {
          if (h.readArrayHeader(input) !== items.length) throw MISS;
          return items.map((item) => item(input, depth + 1));
        };
      }
      case "string": {
        const check = stringCheck(node);
        return (input) => {
          const s = h.readString(input);
          if (!check(s)) throw MISS;
          return s;
        };
      }
      case "number": {
        const check = numberCheck(node);
        return (input) => {
          const n = h.readNumber(input);
          if (!check(n)) throw MISS;
          return n;
        };
      }
      case "boolean":
        return (input) => h.readBoolean(input);
      case "null":
        return (input) => h.readNull(input);
      case "literal": {
        const raw = constantBytes({ literal: node.value });
        const value = node.value;
        return (input) => {
          if (!h.readRaw(input, raw)) throw MISS;
          return value;
        };
      }
      case "union": {
        const members = node.members.map((m) => this.reader(m));
        return (input, depth) => {
          const start = input.pos;
          for (const member of members) {
            try {
              return member(input, depth);
            } catch (x) {
              if (x !== MISS) throw x;
              input.pos = start;
            }
          }
          throw MISS;
        };
      }
      case "record": {
        const values = this.reader(node.values);
        const extra = this.extraReader(node.extra);
        const pattern = node.pattern;
        return (input, depth) => {
          let n = h.readMapHeader(input);
          const o: Record<string, unknown> = {};
          while (n-- > 0) {
            const key = h.readString(input);
            if (key === "__proto__") throw MISS;
            o[key] = (pattern === undefined || pattern.test(key) ? values : extra)(input, depth + 1);
          }
          return o;
        };
      }
      case "leaf": {
        const check = node.check;
        return (input, depth) => {
          const value = h.readGeneric(input, depth);
          if (!check(value)) throw MISS;
          return value;
        };
      }
      case "ref":
        return this.refReader(node.target);
      case "any":
        return (input, depth) => h.readGeneric(input, depth);
    }
  }

  private extraReader(extra: "allow" | "deny" | PlanNode): Reader {
    if (extra === "deny") {
      return () => {
        throw MISS;
      };
    }
    if (extra === "allow") return (input, depth) => this.h.readGeneric(input, depth);
    return this.reader(extra);
  }
}

/** A string node's checks beyond its type. */
function stringCheck(node: StringNode): (s: string) => boolean {
  const { minLength, maxLength, pattern, format } = node;
  return (s) => (minLength === undefined || s.length >= minLength) && (maxLength === undefined || s.length <= maxLength) && (pattern === undefined || pattern.test(s)) && (format === undefined || format(s));
}

/** A number node's checks, type included. */
function numberCheck(node: NumberNode): (v: unknown) => boolean {
  const { integer, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = node;
  return (v) =>
    typeof v === "number" &&
    (integer ? Number.isInteger(v) : Number.isFinite(v)) &&
    (minimum === undefined || v >= minimum) &&
    (maximum === undefined || v <= maximum) &&
    (exclusiveMinimum === undefined || v > exclusiveMinimum) &&
    (exclusiveMaximum === undefined || v < exclusiveMaximum) &&
    (multipleOf === undefined || v % multipleOf === 0);
}
