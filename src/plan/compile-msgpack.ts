// The generated-code back end's entry: a plan's MessagePack writer and reader as one `new Function`, or undefined under a CSP.
import type { MsgpackHelpers } from "./msgpack-helpers.js";
import { emitMsgpack } from "./emit-msgpack.js";
import type { Plan } from "./plan.js";
import type { PlanFunctions } from "./schema-codec.js";

/**
 * The plan's functions as generated code (TypeBox's TypeCompiler does the same for checks), or undefined where
 * code generation is forbidden (a Content-Security-Policy without 'unsafe-eval': EvalError).
 *
 * @example
 * generatedFunctions(plan, msgpackHelpers(writeGeneric))?.read(input);
 */
export function generatedFunctions(plan: Plan, helpers: MsgpackHelpers): PlanFunctions | undefined {
  const { source, constants } = emitMsgpack(plan);
  try {
    return new Function("h", "c", source)(helpers, constants) as PlanFunctions;
  } catch (err) {
    if (err instanceof EvalError) return undefined;
    throw err;
  }
}

