// The stream definition shared by producer and consumer: a header, token items and a footer.
import { Type } from "@sinclair/typebox";
import { streamTypes } from "streamtypes";

export const RunHeader = Type.Object({ runId: Type.String(), model: Type.String(), startedAt: Type.String() });
export const Token = Type.Object({ index: Type.Integer({ minimum: 0 }), text: Type.String(), logprob: Type.Number() });
export const RunFooter = Type.Object({
  tokens: Type.Integer(),
  durationMs: Type.Number(),
  finishReason: Type.Union([Type.Literal("stop"), Type.Literal("length")]),
});

/** The single source of truth: both sides import this. */
export const TOKENS = streamTypes(Token, RunHeader, RunFooter);
