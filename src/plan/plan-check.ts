// A value checked against a plan, and why it fails: the browser entry's validator for the schemas a plan covers, so that a page needs no TypeBox Check.
import type { ValidationIssue } from "../errors.js";
import { INVALID, type Validator } from "../schema/validator.js";
import { typedArrayMessage, unsafeIntegerMessage, type TypedArraySchema } from "../schema/value-messages.js";
import { numberCheck, stringCheck } from "./value-checks.js";
import type { Plan, PlanNode } from "./plan.js";

type Check = (v: unknown) => boolean;
type Values = Record<string, unknown>;

/**
 * A validator that checks values against `plan` as closures (no eval: CSP-safe), accepting exactly what the
 * schema's own check (TypeBox's `Value.Check`) accepts for every kind the plan covers, and explaining a failure
 * as the browser entry always has: each failing property or element with its path and what it expects.
 *
 * @example
 * const v = planValidator(typeboxPlan(Type.Object({ n: Type.Integer() }), options)!);
 * v.parse({ n: 1.5 }); // INVALID
 * v.issues({ n: 1.5 }); // [{ path: "/n", message: "Expected integer" }]
 */
export function planValidator(plan: Plan): Validator {
  const definitions: Check[] = [];
  const checks = new Map<PlanNode, Check>();
  /** One check per node, made when first needed (the issue walk reuses them). */
  const checkOf = (node: PlanNode): Check => {
    let check = checks.get(node);
    if (check === undefined) checks.set(node, (check = build(node, plan, checkOf, definitions)));
    return check;
  };
  plan.definitions.forEach((node, i) => (definitions[i] = checkOf(node)));
  const root = checkOf(plan.root);
  return {
    mode: "interpreted",
    parse: (value) => (root(value) ? value : INVALID),
    issues(value, max = 8) {
      const out: ValidationIssue[] = [];
      explain(plan.root, value, "", { plan, checkOf, out, max });
      return out;
    },
  };
}

function isObjectLike(v: unknown): v is Values {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The check of one node, its children's made through `checkOf` (a ref's looked up when it runs: plans recurse). */
function build(node: PlanNode, plan: Plan, checkOf: (node: PlanNode) => Check, definitions: Check[]): Check {
  switch (node.kind) {
    case "object": {
      // A required Unknown or Any must be there as a key (`in`), as TypeBox checks it; a union with such a member need not.
      const isAny = (n: PlanNode) => (n.kind === "ref" ? plan.definitions[n.target]! : n).kind === "any";
      const fields = node.fields.map((f) => ({ key: f.key, required: f.required, mustBeKey: f.required && isAny(f.node), check: checkOf(f.node) }));
      const known = new Set(node.fields.map((f) => f.key));
      const extra = extraCheck(node.extra, (key) => known.has(key), checkOf);
      return (v) =>
        isObjectLike(v) &&
        fields.every((f) => {
          const x = v[f.key];
          return f.required ? f.check(x) && (!f.mustBeKey || f.key in v) : x === undefined || f.check(x);
        }) &&
        extra(v);
    }
    case "record": {
      const { pattern } = node;
      const values = checkOf(node.values);
      const extra = extraCheck(node.extra, (key) => pattern.test(key), checkOf);
      return (v) => isObjectLike(v) && !(v instanceof Date) && !(v instanceof Uint8Array) && Object.keys(v).every((key) => !pattern.test(key) || values(v[key])) && extra(v);
    }
    case "array": {
      const { minItems, maxItems } = node;
      const item = checkOf(node.items);
      return (v) => Array.isArray(v) && !(v.length < (minItems ?? 0) || v.length > (maxItems ?? Infinity)) && everyElement(v, () => item);
    }
    case "tuple": {
      const items = node.items.map(checkOf);
      return (v) => Array.isArray(v) && v.length === items.length && everyElement(v, (i) => items[i]!);
    }
    case "string": {
      const check = stringCheck(node);
      return (v) => typeof v === "string" && check(v);
    }
    case "number":
      return numberCheck(node);
    case "boolean":
      return (v) => typeof v === "boolean";
    case "null":
      return (v) => v === null;
    case "literal":
      return (v) => v === node.value;
    case "union": {
      const members = node.members.map(checkOf);
      return (v) => members.some((member) => member(v));
    }
    case "leaf":
      return node.check;
    case "ref":
      return (v) => definitions[node.target]!(v);
    case "any":
      return () => true;
  }
}

/** Indexed, not `every`, so that a hole is checked as the undefined it reads as (as the schema's check does). */
function everyElement(v: unknown[], checkAt: (i: number) => Check): boolean {
  for (let i = 0; i < v.length; i++) if (!checkAt(i)(v[i])) return false;
  return true;
}

/** Keys beyond an object's fields or a record's pattern: own names (non-enumerable too) where refused, enumerable ones where checked. */
function extraCheck(extra: "allow" | "deny" | PlanNode, isKnown: (key: string) => boolean, checkOf: (node: PlanNode) => Check): (v: Values) => boolean {
  if (extra === "allow") return () => true;
  if (extra === "deny") return (v) => Object.getOwnPropertyNames(v).every(isKnown);
  const check = checkOf(extra);
  return (v) => Object.getOwnPropertyNames(v).every((key) => isKnown(key) || check(v[key]));
}

interface Walk {
  readonly plan: Plan;
  readonly checkOf: (node: PlanNode) => Check;
  readonly out: ValidationIssue[];
  readonly max: number;
}

/** Adds why `v` fails `node` to `walk.out`: the failing properties and elements where the container itself is right, else the node itself. */
function explain(node: PlanNode, v: unknown, path: string, walk: Walk): void {
  const { out, max } = walk;
  if (out.length >= max || walk.checkOf(node)(v)) return;
  if (node.kind === "ref") return explain(walk.plan.definitions[node.target]!, v, path, walk);
  const before = out.length;
  const at = (key: string | number) => `${path}/${String(key).replaceAll("~", "~0").replaceAll("/", "~1")}`;
  if ((node.kind === "object" || node.kind === "record") && isObjectLike(v)) {
    const known = new Set<string>();
    if (node.kind === "object") {
      for (const f of node.fields) {
        known.add(f.key);
        if (!(f.key in v)) {
          if (f.required) out.push({ path: at(f.key), message: "Expected required property" });
        } else if (f.required || v[f.key] !== undefined) {
          explain(f.node, v[f.key], at(f.key), walk);
        }
      }
    }
    for (const key of Object.getOwnPropertyNames(v)) {
      if (known.has(key)) continue;
      const child = node.kind === "record" && node.pattern.test(key) ? node.values : node.extra;
      if (child === "deny") out.push({ path: at(key), message: node.kind === "record" ? `Unexpected property: the key does not match ${node.pattern.source}` : "Unexpected property" });
      else if (child !== "allow") explain(child, v[key], at(key), walk);
    }
  } else if (node.kind === "array" && Array.isArray(v) && v.length >= (node.minItems ?? 0) && v.length <= (node.maxItems ?? Infinity)) {
    v.forEach((item, i) => explain(node.items, item, at(i), walk));
  } else if (node.kind === "tuple" && Array.isArray(v) && v.length === node.items.length) {
    node.items.forEach((item, i) => explain(item, v[i], at(i), walk));
  }
  if (out.length === before && out.length < max) out.push({ path: path || "/", message: expected(node, v) });
}

/** What a node expects, with the bounds that the value may have missed. */
function expected(node: PlanNode, v: unknown): string {
  const bounds = (entries: Record<string, unknown>) => {
    const listed = Object.entries(entries)
      .filter(([, bound]) => bound !== undefined)
      .map(([name, bound]) => `${name} ${bound instanceof RegExp ? JSON.stringify(bound.source) : JSON.stringify(bound)}`);
    return listed.length > 0 ? ` (${listed.join(", ")})` : "";
  };
  switch (node.kind) {
    case "number": {
      const { integer, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = node;
      const unsafe = integer ? unsafeIntegerMessage(v) : undefined;
      if (unsafe !== undefined) return unsafe;
      // The safe-integer bounds every Integer gets (see build-typebox.ts) are not the schema's own: not listed.
      const own = (bound: number | undefined) => (integer && Math.abs(bound ?? 0) === Number.MAX_SAFE_INTEGER ? undefined : bound);
      return `Expected ${integer ? "integer" : "number"}${bounds({ minimum: own(minimum), maximum: own(maximum), exclusiveMinimum, exclusiveMaximum, multipleOf })}`;
    }
    case "string":
      return `Expected string${bounds({ minLength: node.minLength, maxLength: node.maxLength, pattern: node.pattern, format: node.formatName })}`;
    case "array":
      return `Expected array${bounds({ minItems: node.minItems, maxItems: node.maxItems })}`;
    case "tuple":
      return `Expected an array of ${node.items.length} elements`;
    case "literal":
      return `Expected the literal ${JSON.stringify(node.value)}`;
    case "union":
      return "Expected one of the union's types";
    case "record":
      return "Expected object";
    case "leaf":
      return node.name === "TypedArray" && node.schema !== undefined ? typedArrayMessage(node.schema as TypedArraySchema, v) : `Expected ${node.name}`;
    default:
      return `Expected ${node.kind}`;
  }
}
