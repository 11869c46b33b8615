// Schemas and stream definitions shared by the tests.
import { Type } from "@sinclair/typebox";
import { streamTypes } from "../src/index.js";

export const Header = Type.Object({ time: Type.Number(), msg: Type.String() });
export const Chunk = Type.Object({ words: Type.Array(Type.String()) });
export const Footer = Type.Object({ time: Type.Number(), durationSec: Type.Number(), msg: Type.String() });

export const FULL = streamTypes(Chunk, Header, Footer);
export const ITEMS_ONLY = streamTypes(Chunk);
export const WITH_HEADER = streamTypes(Chunk, Header);
export const WITH_FOOTER = streamTypes(Chunk, undefined, Footer);

export const header = { time: 123.456, msg: "Start of stream" };
export const items = [{ words: ["hello", "world"] }, { words: ["foo", "bar"] }, { words: [] }];
export const footer = { time: 789.012, durationSec: 665.556, msg: "End of stream" };
