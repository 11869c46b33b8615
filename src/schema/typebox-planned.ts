// TypeBox 0.34 schemas checked through their plan (src/plan/): the browser entry's validator, so that a page needs no TypeBox Check.
import { FormatRegistry, TypeRegistry, type TSchema } from "@sinclair/typebox";
import { StreamError } from "../errors.js";
import { typeboxPlan } from "../plan/build-typebox.js";
import { planValidator } from "../plan/plan-check.js";
import type { Plan } from "../plan/plan.js";
import type { Validator } from "./validator.js";

const KIND = Symbol.for("TypeBox.Kind");

/**
 * The plan of a TypeBox 0.34 schema for compiled codecs and for {@link typeboxPlanned}, with no code generation
 * and no TypeBox Check anywhere (leaf kinds judged by {@link leafCheck}). Undefined for any other schema, or one
 * the plan does not cover (`uncovered` is told why).
 *
 * @example
 * typeboxInterpretedPlan(Type.Object({ id: Type.Integer() }))?.root.kind; // "object"
 */
export function typeboxInterpretedPlan(schema: unknown, uncovered?: (why: string) => void): Plan | undefined {
  if (typeof schema !== "object" || schema === null || !(KIND in schema)) return undefined;
  return typeboxPlan(schema, {
    leafCheck,
    format(name) {
      const check = FormatRegistry.Get(name);
      return check === undefined ? undefined : (value) => check(value);
    },
    uncovered,
  });
}

/**
 * The browser entry's TypeBox validators: a schema the plan covers is checked through its plan (the same values
 * accepted as TypeBox's `Check` accepts); any other goes to `fallback` (`typeboxCheck`, which the page then
 * bundles), or without one is `OPTIONS`, naming what the plan does not cover and the fix.
 *
 * @example
 * typeboxPlanned()(Type.Object({ n: Type.Number() })).parse({ n: 1 }); // { n: 1 }
 * typeboxPlanned()(Type.Intersect([A, B])); // throws OPTIONS: "… pass { fallback: typeboxCheck } …"
 */
export function typeboxPlanned(fallback?: (schema: TSchema) => Validator): (schema: TSchema) => Validator {
  return (schema) => {
    let why = "";
    const plan = typeboxInterpretedPlan(schema, (reason) => (why = reason));
    if (plan !== undefined) return planValidator(plan);
    if (fallback !== undefined) return fallback(schema);
    throw new StreamError(
      "OPTIONS",
      `This TypeBox schema uses ${why}, which streamtypes/browser checks only with TypeBox's Value.Check, left out of pages that do not ask for it: ` +
        'import { typeboxCheck } from "streamtypes/browser" and define the stream with { fallback: typeboxCheck } (about 4 KB gzipped more), or use the main entry, "streamtypes".',
    );
  };
}

/** The checks of the leaf kinds, as TypeBox's `Value.Check` makes them (value/check/check.mjs), without it. */
function leafCheck(schema: object): (value: unknown) => boolean {
  const s = schema as Record<string | symbol, unknown>;
  switch (s[KIND]) {
    case "Date":
      return (v) => v instanceof Date && Number.isFinite(v.getTime()) && within(s, v.getTime(), "Timestamp");
    case "BigInt":
      return (v) => typeof v === "bigint" && within(s, v, "");
    case "Uint8Array":
      return (v) => v instanceof Uint8Array && !(v.length > (s.maxByteLength as number)) && !(v.length < (s.minByteLength as number));
    default: {
      // A kind of its own (TypedArray), checked by the function it registered with TypeBox.
      const check = TypeRegistry.Get(String(s[KIND]));
      return (v) => check !== undefined && check(s, v);
    }
  }
}

/** TypeBox's bounds on a number-like value: `exclusiveMaximum`… (or `exclusiveMaximumTimestamp`… for a Date). */
function within(s: Record<string, unknown>, x: number | bigint, suffix: string): boolean {
  const bound = (name: string) => s[name + suffix] as number | bigint | undefined;
  const [exclusiveMaximum, exclusiveMinimum, maximum, minimum, multipleOf] = ["exclusiveMaximum", "exclusiveMinimum", "maximum", "minimum", "multipleOf"].map(bound);
  return (
    (exclusiveMaximum === undefined || x < exclusiveMaximum) &&
    (exclusiveMinimum === undefined || x > exclusiveMinimum) &&
    (maximum === undefined || x <= maximum) &&
    (minimum === undefined || x >= minimum) &&
    (multipleOf === undefined || Number((x as bigint) % (multipleOf as bigint)) === 0)
  );
}
