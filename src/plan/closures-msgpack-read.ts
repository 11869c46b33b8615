// The closure back end's reader for MessagePack: the plan as nested closures that read and check, for pages whose CSP forbids generated code.
import { MAX_DEPTH, MISS } from "../codecs/codec.js";
import type { Input } from "./msgpack-read.js";
import type { MsgpackReadHelpers } from "./msgpack-helpers.js";
import type { Plan, PlanNode } from "./plan.js";
import { numberCheck, stringCheck } from "./value-checks.js";
import { planKeyBytes } from "./plan-bytes.js";

type Reader = (input: Input, depth: number) => unknown;

/**
 * The plan's reader as closures: no eval, so it runs under any CSP (the browser entry's way to decode and check in
 * one pass); each node checks exactly what the generated code checks (emit-msgpack.ts) and throws MISS where it does.
 *
 * @example
 * closureReader(plan, helpers)(input); // the value, or throws MISS
 */
export function closureReader(plan: Plan, h: MsgpackReadHelpers): (input: Input) => unknown {
  const readers: Reader[] = [];
  const build = new ReaderBuilder(h, (target) => (input, depth) => {
    if (depth >= MAX_DEPTH) throw MISS;
    return readers[target]!(input, depth);
  });
  plan.definitions.forEach((node, i) => (readers[i] = build.reader(node)));
  const read = build.reader(plan.root);
  return (input) => read(input, 0);
}

class ReaderBuilder {
  constructor(
    private readonly h: MsgpackReadHelpers,
    private readonly refReader: (target: number) => Reader,
  ) {}

  reader(node: PlanNode): Reader {
    const h = this.h;
    switch (node.kind) {
      case "object": {
        const fields = node.fields.map((f) => ({ key: f.key, required: f.required, raw: planKeyBytes(f.key), read: this.reader(f.node) }));
        return (input, depth) => {
          if (depth >= MAX_DEPTH) throw MISS;
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
          if (depth >= MAX_DEPTH) throw MISS;
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
          if (depth >= MAX_DEPTH || h.readArrayHeader(input) !== items.length) throw MISS;
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
        // A string literal is compared as bytes; a number or boolean is read, then compared.
        const value = node.value;
        if (typeof value === "string") {
          const raw = planKeyBytes(value);
          return (input) => {
            if (!h.readRaw(input, raw)) throw MISS;
            return value;
          };
        }
        const read = typeof value === "number" ? h.readNumber : h.readBoolean;
        return (input) => {
          if (read(input) !== value) throw MISS;
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
          if (depth >= MAX_DEPTH) throw MISS;
          let n = h.readMapHeader(input);
          const o: Record<string, unknown> = {};
          while (n-- > 0) {
            const key = h.readString(input);
            if (key === "__proto__") throw MISS;
            o[key] = (pattern.test(key) ? values : extra)(input, depth + 1);
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
