// The streamtypes/typebox1 entry with TypeBox 1.x (package "typebox", an optional peer). Type-checked only.
import Type from "typebox";
import { streamTypes } from "streamtypes";
import { typebox1, type TypeBox1Options } from "streamtypes/typebox1";

const options: TypeBox1Options = { compile: undefined };
const Item = typebox1(Type.Object({ id: Type.Integer(), words: Type.Array(Type.String()) }), options);
const STREAM = streamTypes(Item);

export async function ids(bytes: Uint8Array): Promise<number[]> {
  const out: number[] = [];
  for await (const item of STREAM.reader(bytes).readItems()) out.push(item.id + item.words.length);
  return out;
}
