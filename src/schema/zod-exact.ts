// Whether zod 4's own validation of a schema adds nothing to its JSON Schema: then a codec compiled from that JSON Schema may skip it.
/** zod 4's internal definition of a schema (`schema._zod.def`): the fields read here. */
interface ZodDef {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: ZodCheckDef } }[];
  readonly [field: string]: unknown;
}

interface ZodCheckDef {
  readonly check: string;
  readonly format?: unknown;
  readonly [field: string]: unknown;
}

/**
 * Checks that the plan makes at least as strictly as zod, and that change no value: minItems/maxItems, the bounds, a
 * safe integer, and a string's maxLength. zod counts a string's length in code points where it matters, the plan in
 * UTF-16 units (never fewer): a maximum in units is stricter, but a minimum or an exact length would be looser.
 */
const EXACT_CHECKS: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(["max_length"]),
  array: new Set(["min_length", "max_length", "length_equals"]),
  number: new Set(["greater_than", "less_than", "number_format"]),
};

/**
 * True when zod 4's validation of `schema` checks exactly what its JSON Schema (`io: "input"`) says and delivers a
 * value equal to its input, key order included (for the values a compiled codec takes: plain objects without extra
 * keys), so that a codec compiled from that JSON Schema gives zod's result without calling zod: string, number
 * (bounds, `z.int()`), boolean, null, literal, enum, array, tuple, object (strip, strict or loose: a compiled codec
 * takes no extra key), optional, nullable, union and discriminated union, lazy, any and unknown, with the bounds,
 * array lengths and a string's maximum length. Anything else — a string's minimum or exact length (zod counts code
 * points), refine, transform, pipe, default, catch, coerce, string formats
 * and regexes (JSON Schema drops a regex's flags), multipleOf (zod allows for float error), records, `z.xor` — is
 * false: zod's validation then runs on every value.
 *
 * @example
 * zodChecksOnlyJsonSchema(z.object({ id: z.int(), words: z.array(z.string()) })); // true
 * zodChecksOnlyJsonSchema(z.object({ id: z.int().refine((n) => n > 0) })); // false
 */
export function zodChecksOnlyJsonSchema(schema: unknown): boolean {
  const version = (schema as { _zod?: { version?: { major?: unknown } } } | null)?._zod?.version?.major;
  return version === 4 && exact(schema, new Set());
}

function exact(schema: unknown, walking: Set<unknown>): boolean {
  const def = (schema as { _zod?: { def?: ZodDef } } | null)?._zod?.def;
  if (def === undefined || typeof def.type !== "string") return false;
  // A recursive schema: what is being walked is judged by the rest of the walk. Getters that make a new schema at
  // every call never close the loop: past 500 levels, the answer is no.
  if (walking.has(schema)) return true;
  if (walking.size > 500) return false;
  walking.add(schema);
  try {
    if (def.coerce === true || !checksExact(def)) return false;
    const child = (value: unknown) => exact(value, walking);
    switch (def.type) {
      case "string":
        return def.format === undefined && def.check === undefined;
      case "number":
        // z.int() is a number schema with its own safe-integer check (JSON Schema: integer within ±(2^53 − 1)).
        return def.check === undefined || (def.check === "number_format" && def.format === "safeint");
      case "boolean":
      case "null":
      case "any":
      case "unknown":
        return true;
      case "literal":
        return Array.isArray(def.values) && def.values.every((v) => v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)));
      case "enum":
        return typeof def.entries === "object" && def.entries !== null && Object.values(def.entries).every((v) => typeof v === "string" || (typeof v === "number" && Number.isFinite(v)));
      case "array":
        return child(def.element);
      case "tuple":
        return def.rest === null && Array.isArray(def.items) && def.items.every(child);
      case "object": {
        const catchall = (def.catchall as { _zod?: { def?: { type?: unknown } } } | undefined)?._zod?.def?.type;
        if (def.catchall !== undefined && catchall !== "never" && catchall !== "unknown") return false;
        return typeof def.shape === "object" && def.shape !== null && Object.values(def.shape).every(child);
      }
      case "optional":
      case "nullable":
        return child(def.innerType);
      case "union":
        // z.xor (exactly one member) is exclusive without a discriminator; a discriminated union picks its member by the key.
        if (def.inclusive === false && typeof def.discriminator !== "string") return false;
        return Array.isArray(def.options) && def.options.every(child);
      case "lazy":
        return typeof def.getter === "function" && child((def.getter as () => unknown)());
      default:
        return false;
    }
  } finally {
    walking.delete(schema);
  }
}

function checksExact(def: ZodDef): boolean {
  const checks = def.checks ?? [];
  if (checks.length === 0) return true;
  const allowed = EXACT_CHECKS[def.type];
  return (
    allowed !== undefined &&
    checks.every((c) => {
      const check = c._zod?.def;
      return check !== undefined && allowed.has(check.check) && (check.check !== "number_format" || check.format === "safeint");
    })
  );
}
