// A page's code: streamtypes/browser in a project with the DOM lib and no Node types. Type-checked only.
import { Type } from "@sinclair/typebox";
import { readerTypes, sse, streamTypes } from "streamtypes/browser";

const Item = Type.Object({ words: Type.Array(Type.String()) });
const STREAM = streamTypes(Item, Type.Object({ model: Type.String() }));
const EVENTS = readerTypes(Item, undefined, undefined, { format: sse() });

export async function show(out: HTMLElement, signal: AbortSignal): Promise<void> {
  const r = STREAM.reader(fetch("/words", { signal }), { signal, idleTimeoutMs: 30_000 });
  out.title = (await r.readHeader()).model;
  for await (const item of r.readItems()) out.append(item.words.join(" "));
  await EVENTS.consume(fetch("/events"), { onItem: (item) => void out.append(item.words.join(" ")) });
}
