// A producer that yields a plain value instead of `w.item(value)`: must not type-check, with a short error that
// says what to write instead (the YieldFrames type). The package check expects this file to fail.
import { Type } from "@sinclair/typebox";
import { streamTypes } from "streamtypes";

const STREAM = streamTypes(Type.Object({ words: Type.Array(Type.String()) }));
STREAM.toResponse(async function* () {
  yield { words: ["hi"] };
});
