// Text from a stream in StreamError messages (issue 21, item 8): control, bidi and other format characters shown as escapes, never raw.
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { StreamError, ndjson, sse, streamTypes } from "../src/index.js";
import { printable } from "../src/printable.js";
import { readAll } from "./helpers.js";

/** What a log line must never carry raw: C0, DEL, C1, bidi overrides and isolates, other format characters, separators. */
const UNSAFE = /[\0-\x1f\x7f-\x9f\p{Cf}\u2028\u2029]/u;
const HOSTILE = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\r\n\x9b31m\u202eevil\u2066\u200b\u{e0041}";
const utf8 = new TextEncoder();

describe("printable", () => {
  it("escapes C0, DEL, C1, bidi, zero-width, tag characters and lone surrogates visibly; leaves other text alone", () => {
    expect(printable("plain text, é, 日本, 🙂")).toBe("plain text, é, 日本, 🙂");
    expect(printable(HOSTILE)).toBe(
      "\\u001b]52;c;ZXZpbA==\\u0007\\u001b[2J\\u000d\\u000a\\u009b31m\\u202eevil\\u2066\\u200b\\udb40\\udc41",
    );
    expect(printable("a\ud800b")).toBe("a\\ud800b");
    expect(printable("one\ntwo\x1b", true)).toBe("one\ntwo\\u001b");
    // Inside a JSON string, the escapes are JSON escapes: the text still parses to what it was.
    expect(JSON.parse(printable(JSON.stringify({ [HOSTILE]: HOSTILE })))).toEqual({ [HOSTILE]: HOSTILE });
  });
});

describe("StreamError messages carry no raw control characters from the stream", () => {
  async function errorOf(read: () => Promise<{ error?: StreamError }>): Promise<StreamError> {
    const { error } = await read();
    expect(error).toBeInstanceOf(StreamError);
    return error!;
  }

  it("an SSE event name, a JSON parse error, a validation path, a remote error's message", async () => {
    const SSE = streamTypes(Type.Object({ a: Type.Number() }), undefined, undefined, { format: sse() });
    const NDJSON = streamTypes(Type.Record(Type.String(), Type.Number()), undefined, undefined, { format: ndjson() });
    const errors = [
      await errorOf(() => readAll(SSE, SSE.reader(utf8.encode(`event: ${HOSTILE.replace(/[\r\n]/g, "")}\ndata: 1\n\n`)))),
      await errorOf(() => readAll(NDJSON, NDJSON.reader(utf8.encode(`{"kind":"item","data":\u202eevil\x1b[2J}\n`)))),
      await errorOf(() => readAll(NDJSON, NDJSON.reader(utf8.encode(`${JSON.stringify({ kind: "item", data: { [HOSTILE.replace(/[\r\n]/g, "")]: "not a number" } })}\n`)))),
      await errorOf(() => readAll(SSE, SSE.reader(SSE.writer().error(Object.assign(new Error(HOSTILE), { name: HOSTILE }))))),
      new StreamError("FORMAT", HOSTILE),
    ];
    expect(errors.map((e) => e.code)).toEqual(["FORMAT", "FORMAT", "VALIDATION", "REMOTE", "FORMAT"]);
    for (const err of errors) {
      expect(UNSAFE.test(err.message)).toBe(false);
      expect(err.message).toMatch(/\\u001b|\\u202e/);
    }
    // The remote error's own fields keep what the producer sent: data, not a message.
    expect(errors[3]!.remote?.message).toBe(HOSTILE);
  });
});
