// Standard Schema libraries (zod 4, valibot 1, arktype 2) and TypeBox 1.x (through typebox1()) as stream schemas, end to end.
import { type } from "arktype";
import { Type as T1 } from "typebox";
import * as v from "valibot";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { StreamError, sse, streamTypes } from "../src/index.js";
import { streamTypes as standardTypes } from "../src/standard.js";
import { sendResponse } from "../src/node.js";
import { typebox1 } from "../src/schema/typebox1.js";
import { concat, readAll, readClean, rejection } from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const LIBRARIES = {
  zod: {
    item: z.object({ id: z.int(), words: z.array(z.string()) }),
    header: z.object({ run: z.string() }),
    footer: z.object({ count: z.int() }),
  },
  valibot: {
    item: v.object({ id: v.pipe(v.number(), v.safeInteger()), words: v.array(v.string()) }),
    header: v.object({ run: v.string() }),
    footer: v.object({ count: v.number() }),
  },
  arktype: {
    item: type({ id: "number.safe", words: "string[]" }),
    header: type({ run: "string" }),
    footer: type({ count: "number" }),
  },
  "typebox 1.x": {
    item: typebox1(T1.Object({ id: T1.Integer(), words: T1.Array(T1.String()) })),
    header: typebox1(T1.Object({ run: T1.String() })),
    footer: typebox1(T1.Object({ count: T1.Integer() })),
  },
};

describe.each(Object.entries(LIBRARIES))("%s schemas", (_name, schemas) => {
  const STREAM = streamTypes(schemas.item, schemas.header, schemas.footer);

  it("write and read back header, items and footer; validation is the library's own", async () => {
    // A typebox1() wrapper brings TypeBox's own compiled checker; the other libraries validate through ~standard.
    expect(STREAM.validation).toBe(_name === "typebox 1.x" ? "compiled" : "standard");
    const w = STREAM.writer();
    const bytes = concat([w.header({ run: "r1" }), w.item({ id: 1, words: ["a"] }), w.item({ id: 2, words: [] }), w.footer({ count: 2 }), w.end()]);
    expect(await readAll(STREAM, STREAM.reader(bytes))).toEqual({ header: { run: "r1" }, items: [{ id: 1, words: ["a"] }, { id: 2, words: [] }], footer: { count: 2 } });
  });

  it("a bad value is VALIDATION with the path, when written and when read", async () => {
    const err = await rejection(() => STREAM.writer().item({ id: 1, words: [7] } as never));
    expect(err.code).toBe("VALIDATION");
    expect(err.issues?.[0]?.path).toBe("/words/0");
    const forged = streamTypes(z.unknown(), z.unknown(), z.unknown()).writer();
    const result = await readAll(STREAM, STREAM.reader(concat([forged.header({ run: "r" }), forged.item({ id: "x", words: [] }), forged.end()])));
    expect(result.error?.code).toBe("VALIDATION");
    expect(result.error?.message).toMatch(/item 0/);
    expect(result.error?.issues?.[0]?.path).toBe("/id");
  });

  it("over HTTP in the SSE format", async () => {
    const SSE = streamTypes(schemas.item, schemas.header, schemas.footer, { format: sse() });
    server = await startServer((_req, res) =>
      void sendResponse(
        res,
        SSE.toResponse(async function* (w) {
          yield w.header({ run: "http" });
          for (let id = 0; id < 5; id++) yield w.item({ id, words: [String(id)] });
          yield w.footer({ count: 5 });
        }),
      ),
    );
    const result = await readAll(SSE, SSE.reader(fetch(server.url)));
    expect(result.error).toBeUndefined();
    expect(result.items).toHaveLength(5);
    expect(result.footer).toEqual({ count: 5 });
  });
});

describe("transforms and types", () => {
  it("a transforming schema: the writer checks and sends its input, the reader delivers its output", async () => {
    const Item = z.object({ at: z.string().transform((s) => new Date(s)) });
    const STREAM = streamTypes(Item);
    expectTypeOf<Parameters<ReturnType<typeof STREAM.writer>["item"]>[0]>().toEqualTypeOf<{ at: string }>();
    const w = STREAM.writer();
    const { items } = await readClean(STREAM, STREAM.reader(concat([w.item({ at: "2026-01-02T00:00:00Z" }), w.end()])));
    expect(items[0]).toEqual({ at: new Date("2026-01-02T00:00:00Z") });
    const reader = STREAM.reader(new Uint8Array(0));
    expectTypeOf<Awaited<ReturnType<ReturnType<typeof reader.readItems>["next"]>>>().toMatchTypeOf<IteratorResult<{ at: Date }>>();
  });

  it("an asynchronous schema is OPTIONS: when the types are defined where a probe shows it, else at the first value", async () => {
    const err = await rejection(() => streamTypes(z.unknown().refine(async () => true)));
    expect(err.code).toBe("OPTIONS");
    expect(err.message).toMatch(/synchronous/i);
    const late = streamTypes(z.string().refine(async () => true));
    expect((await rejection(() => late.writer().item("x"))).code).toBe("OPTIONS");
  });

  it("a bare TypeBox 1.x schema is OPTIONS with a pointer to typebox1()", async () => {
    const err = await rejection(() => streamTypes(T1.Object({ a: T1.String() }) as never));
    expect(err.code).toBe("OPTIONS");
    expect(err.message).toMatch(/typebox1\(\)/);
    expect(err).toBeInstanceOf(StreamError);
  });
});

describe("streamtypes/standard: Standard Schemas without TypeBox", () => {
  it("reads and writes with zod, and refuses a TypeBox schema with a pointer to the main entry", async () => {
    const S = standardTypes(z.object({ n: z.number() }));
    const w = S.writer();
    expect((await readClean(S, S.reader(concat([w.item({ n: 1 }), w.end()])))).items).toEqual([{ n: 1 }]);
    const { Type } = await import("@sinclair/typebox");
    const err = await rejection(() => standardTypes(Type.Object({ n: Type.Number() })));
    expect(err.code).toBe("OPTIONS");
    expect(err.message).toMatch(/streamTypes\(\) from "streamtypes"/);
  });
});
