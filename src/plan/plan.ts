// The plan: a schema walked once into a small tree of nodes that every compiled back end (generated code, closures, JSON) follows.

/**
 * One node of a plan. Each node says what a value must be (the checks of the schema it came from, exactly as that
 * schema's validator makes them) and, through its kind, how a back end writes and reads it. A schema kind that no
 * node covers makes the whole part uncompiled: it keeps the generic codec and its validator.
 */
export type PlanNode =
  | ObjectNode
  | ArrayNode
  | TupleNode
  | StringNode
  | NumberNode
  | { readonly kind: "boolean" }
  | { readonly kind: "null" }
  | { readonly kind: "literal"; readonly value: string | number | boolean }
  | UnionNode
  | RecordNode
  | LeafNode
  | { readonly kind: "ref"; readonly target: number }
  | { readonly kind: "any" };

/** A property of an object node. */
export interface PlanField {
  readonly key: string;
  readonly node: PlanNode;
  /** Required: the value must be present (and, for `any`, the key itself); optional: absent or undefined is fine. */
  readonly required: boolean;
}

/** A plain object with known keys, written in the plan's order. */
export interface ObjectNode {
  readonly kind: "object";
  readonly fields: readonly PlanField[];
  /** Keys beyond the fields: allowed (any value), refused, or each checked against a node. */
  readonly extra: "allow" | "deny" | PlanNode;
}

export interface ArrayNode {
  readonly kind: "array";
  readonly items: PlanNode;
  readonly minItems: number | undefined;
  readonly maxItems: number | undefined;
}

/** An array of exactly `items.length` elements, each with its own node. */
export interface TupleNode {
  readonly kind: "tuple";
  readonly items: readonly PlanNode[];
}

export interface StringNode {
  readonly kind: "string";
  /** Bounds in UTF-16 units, as JavaScript's `length` counts (and TypeBox checks). */
  readonly minLength: number | undefined;
  readonly maxLength: number | undefined;
  readonly pattern: RegExp | undefined;
  /** A named format's check (TypeBox's FormatRegistry). */
  readonly format: ((value: string) => boolean) | undefined;
  /** The format's name, for messages. */
  readonly formatName?: string | undefined;
}

export interface NumberNode {
  readonly kind: "number";
  readonly integer: boolean;
  readonly minimum: number | undefined;
  readonly maximum: number | undefined;
  readonly exclusiveMinimum: number | undefined;
  readonly exclusiveMaximum: number | undefined;
  readonly multipleOf: number | undefined;
}

export interface UnionNode {
  readonly kind: "union";
  readonly members: readonly PlanNode[];
  /**
   * Set when every member is an object with a required literal property under one key (a discriminated union of
   * event kinds): the member to use, by that property's value. Members are otherwise tried in order.
   */
  readonly discriminator: { readonly key: string; readonly members: ReadonlyMap<string | number | boolean, number> } | undefined;
}

/** An object whose keys match `pattern` (always tested: even `^(.*)$` refuses a key with a line break) and whose values all follow one node. */
export interface RecordNode {
  readonly kind: "record";
  readonly pattern: RegExp;
  readonly values: PlanNode;
  /** Keys that do not match the pattern. */
  readonly extra: "allow" | "deny" | PlanNode;
}

/**
 * A value the generic codec carries whole (Date, Uint8Array, typed arrays, bigint), checked by the schema's own
 * check for it: the plan only says where it is.
 */
export interface LeafNode {
  readonly kind: "leaf";
  readonly check: (value: unknown) => boolean;
  /** What the leaf is, for generated code's comments and messages. */
  readonly name: string;
  /** The schema it came from, for messages that name its bounds (a TypedArray's class and length). */
  readonly schema?: object | undefined;
}

/** A plan: the root node and the nodes that refs point to (recursive schemas). */
export interface Plan {
  readonly root: PlanNode;
  readonly definitions: readonly PlanNode[];
  /**
   * True when the schema's own validation must still run on every value the compiled codec takes (a Standard
   * Schema: its library may refine, transform or default beyond what the plan says): see validated-codec.ts.
   */
  readonly validateAfter?: boolean | undefined;
}
