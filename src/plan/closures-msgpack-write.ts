// The closure back end's writer for MessagePack: the plan as nested closures that check and write, for pages whose CSP forbids generated code.
import { MAX_DEPTH, MISS } from "../codecs/codec.js";
import type { Output } from "../codecs/output.js";
import type { MsgpackWriteHelpers } from "./msgpack-helpers.js";
import { numberCheck, stringCheck } from "./value-checks.js";
import type { Plan, PlanNode } from "./plan.js";
import { constantBytes } from "./msgpack-write.js";
import { acceptsUndefined, countsOwnNames, planKeyBytes } from "./plan-bytes.js";

type Writer = (v: unknown, out: Output, depth: number) => void;

/**
 * The plan's writer as closures: no eval, so it runs under any CSP; each node checks exactly what the generated
 * code checks (emit-msgpack.ts), in the same order, and throws MISS where it does.
 *
 * @example
 * closureWriter(plan, helpers)(value, out); // throws MISS for a value the plan does not take
 */
export function closureWriter(plan: Plan, h: MsgpackWriteHelpers): (value: unknown, out: Output) => void {
  // Definitions are filled in after their closures exist, so that a recursive plan's closures can refer to each other.
  const writers: Writer[] = [];
  const build = new WriterBuilder(h, plan, (target) => (v, out, depth) => {
    if (depth >= MAX_DEPTH) throw MISS;
    writers[target]!(v, out, depth);
  });
  plan.definitions.forEach((node, i) => (writers[i] = build.writer(node)));
  const write = build.writer(plan.root);
  return (value, out) => write(value, out, 0);
}

class WriterBuilder {
  constructor(
    private readonly h: MsgpackWriteHelpers,
    private readonly plan: Plan,
    private readonly refWriter: (target: number) => Writer,
  ) {}

  writer(node: PlanNode): Writer {
    const h = this.h;
    switch (node.kind) {
      case "object": {
        const fields = node.fields.map((f) => ({ key: f.key, required: f.required, mustBeKey: acceptsUndefined(f.node, this.plan), raw: planKeyBytes(f.key), write: this.writer(f.node) }));
        const required = fields.filter((f) => f.required).length;
        const ownNames = countsOwnNames(node.extra);
        const byKey = new Map(fields.map((f) => [f.key, f.required]));
        return (v, out, depth) => {
          if (typeof v !== "object" || v === null || Object.getPrototypeOf(v) !== Object.prototype || depth >= MAX_DEPTH) throw MISS;
          const o = v as Record<string, unknown>;
          let count = required;
          for (const f of fields) if (!f.required && o[f.key] !== undefined) count++;
          // The enumerable keys must be exactly the present fields (as emit-common.ts keyScan checks them).
          let seen = 0;
          for (const key in o) {
            const isRequired = byKey.get(key);
            if (isRequired === undefined || (!isRequired && o[key] === undefined)) throw MISS;
            seen++;
          }
          if (seen !== count || (ownNames && Object.getOwnPropertyNames(o).length !== count)) throw MISS;
          h.writeMapHeader(out, count);
          for (const f of fields) {
            const value = o[f.key];
            if (f.required ? f.mustBeKey && !(f.key in o) : value === undefined) {
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
          if (!Array.isArray(v) || v.constructor !== Array || depth >= MAX_DEPTH) throw MISS;
          const n = v.length;
          if ((minItems !== undefined && n < minItems) || (maxItems !== undefined && n > maxItems)) throw MISS;
          h.writeArrayHeader(out, n);
          for (let j = 0; j < n; j++) item(v[j], out, depth + 1);
        };
      }
      case "tuple": {
        const items = node.items.map((item) => this.writer(item));
        return (v, out, depth) => {
          if (!Array.isArray(v) || v.constructor !== Array || v.length !== items.length || depth >= MAX_DEPTH) throw MISS;
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
        // A number literal is written as the value is (-0 passes a check against 0, and keeps its sign).
        const asNumber = typeof expected === "number";
        return (v, out) => {
          if (v !== expected) throw MISS;
          if (asNumber) h.writeNumber(out, v as number);
          else h.writeRaw(out, raw);
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
        const ownNames = countsOwnNames(node.extra);
        const pattern = node.pattern;
        return (v, out, depth) => {
          if (typeof v !== "object" || v === null || Object.getPrototypeOf(v) !== Object.prototype || depth >= MAX_DEPTH) throw MISS;
          const keys = Object.keys(v);
          if (ownNames && Object.getOwnPropertyNames(v).length !== keys.length) throw MISS;
          h.writeMapHeader(out, keys.length);
          for (const key of keys) {
            const value = (v as Record<string, unknown>)[key];
            h.writeString(out, key);
            (pattern.test(key) ? values : extra)(value, out, depth + 1);
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
}
