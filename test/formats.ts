// Every wire format under test, one entry each: its factory, and helpers to hand-build (hostile) streams in it.
// Used by test/contract.test.ts and by the fuzzer (bench/fuzz-core.ts). The helpers are written from the wire
// grammar in docs/framings.md and docs/protocol.md, not with the library's own encoders, so that they check them.
import { Packr } from "msgpackr";
import { FrameKind, binary, json, msgpack, ndjson, sse, truss, type Format } from "../src/index.js";
import { concat } from "./helpers.js";

/** A raw payload: codec bytes as given, or text (raw JSON) sent as its UTF-8 bytes. */
export type Payload = Uint8Array | string;

/** One part of a hand-built stream: a frame kind and its raw payload (none for end and keep-alive). */
export type Part = readonly [kind: number, payload?: Payload];

export interface FormatEntry {
  /** "binary+msgpack", "binary+json", "truss", "sse", "ndjson". */
  readonly name: string;
  /** A fresh format value, as given to `streamTypes(…, { format })`. */
  readonly format: () => Format;
  /** Length-prefixed binary frames, or text lines and events. */
  readonly framing: "length-prefixed" | "text";
  /** The codec the payloads are in: it decides the `__proto__` policy and what `payload()` writes. */
  readonly codec: "msgpack" | "json";
  /** Whether the format has keep-alive frames (truss has none). */
  readonly keepAlive: boolean;
  /** A clean end of input at a frame boundary stands for the end frame (truss only). */
  readonly endsAtEof: boolean;
  /** A plain value as a raw payload of this format's codec. */
  payload(value: unknown): Uint8Array;
  /**
   * A hand-built stream: the opening (binary's 11-byte marker), then one frame per part, each carrying its
   * payload byte for byte. SSE events get ids as the writer numbers them (header 0, every other event the next).
   */
  stream(parts: readonly Part[]): Uint8Array;
  /** The same frame (kind, and in SSE its id) carrying another raw payload; for end and keep-alive frames, unchanged. */
  withPayload(frame: Uint8Array, payload: Payload): Uint8Array;
  /** Harmless bytes a producer may send after its end frame; empty where every byte after the end is data. */
  readonly slack: readonly Uint8Array[];
  /** Bytes that open every stream of this format before its first frame. */
  readonly opening: Uint8Array;
}

const utf8 = new TextEncoder();
const bytesOf = (payload: Payload | undefined): Uint8Array => (payload === undefined ? new Uint8Array(0) : typeof payload === "string" ? utf8.encode(payload) : payload);
const packr = new Packr({ useRecords: false, moreTypes: true, variableMapSize: true });
const jsonPayload = (value: unknown) => utf8.encode(JSON.stringify(value));

/** `01 00000006 "STYP" 01 <codec id>`: the binary framing's opening frame. */
const marker = (codecId: number) => Uint8Array.of(FrameKind.OPEN, 0, 0, 0, 6, 0x53, 0x54, 0x59, 0x50, 1, codecId);

/** `<kind> <uint32 big-endian payload length> <payload>`: one frame of binary or truss, built byte by byte here. */
function lengthPrefixedFrame(kind: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  const n = payload.length;
  out.set([kind, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  out.set(payload, 5);
  return out;
}

/** Binary and truss: `kind, uint32 length, payload` per frame. */
function lengthPrefixed(opening: Uint8Array) {
  return {
    opening,
    stream: (parts: readonly Part[]) => concat([opening, ...parts.map(([kind, payload]) => lengthPrefixedFrame(kind, bytesOf(payload)))]),
    withPayload: (frame: Uint8Array, payload: Payload) => (frame[0] === FrameKind.END || frame[0] === FrameKind.KEEPALIVE ? frame : lengthPrefixedFrame(frame[0]!, bytesOf(payload))),
    slack: [],
  };
}

const KIND_NAMES: Record<number, string> = { 2: "header", 3: "item", 4: "footer", 5: "end", 6: "error", 7: "keep-alive" };

/** `event: <kind>\nid: <n>\ndata: <payload>\n\n`; keep-alive is the comment line `: keep-alive\n`; the end carries `null`. */
function sseEvent(kind: number, id: number, payload: Payload | undefined): Uint8Array {
  if (kind === FrameKind.KEEPALIVE) return utf8.encode(": keep-alive\n");
  const data = kind === FrameKind.END && payload === undefined ? utf8.encode("null") : bytesOf(payload);
  return concat([utf8.encode(`event: ${KIND_NAMES[kind]}\nid: ${id}\ndata: `), data, utf8.encode("\n\n")]);
}

function sseStream(parts: readonly Part[]): Uint8Array {
  let last = 0;
  return concat(parts.map(([kind, payload]) => sseEvent(kind, kind === FrameKind.HEADER ? 0 : kind === FrameKind.KEEPALIVE ? -1 : ++last, payload)));
}

/** The index of `needle` in `haystack` from `from`, or -1. */
function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The frame up to the end of `open`, then `payload`, then `close` (the frame's old payload and ending dropped). */
function replaceBetween(frame: Uint8Array, open: Uint8Array, close: Uint8Array, payload: Payload): Uint8Array {
  const at = indexOfBytes(frame, open);
  if (at < 0 || frame.length < close.length) return frame;
  return concat([frame.subarray(0, at + open.length), bytesOf(payload), close]);
}

/** `{"kind":"<kind>","data":<payload>}\n`; end and keep-alive lines have no data. */
function ndjsonLine(kind: number, payload: Payload | undefined): Uint8Array {
  if (payload === undefined && (kind === FrameKind.END || kind === FrameKind.KEEPALIVE)) return utf8.encode(`{"kind":"${KIND_NAMES[kind]}"}\n`);
  return concat([utf8.encode(`{"kind":"${KIND_NAMES[kind]}","data":`), bytesOf(payload), utf8.encode("}\n")]);
}

export const FORMATS: readonly FormatEntry[] = [
  {
    name: "binary+msgpack",
    framing: "length-prefixed",
    format: () => binary(msgpack()),
    codec: "msgpack",
    keepAlive: true,
    endsAtEof: false,
    payload: (value) => packr.pack(value),
    ...lengthPrefixed(marker(1)),
  },
  {
    name: "binary+json",
    framing: "length-prefixed",
    format: () => binary(json()),
    codec: "json",
    keepAlive: true,
    endsAtEof: false,
    payload: jsonPayload,
    ...lengthPrefixed(marker(2)),
  },
  {
    name: "truss",
    framing: "length-prefixed",
    format: () => truss(),
    codec: "json",
    keepAlive: false,
    endsAtEof: true,
    payload: jsonPayload,
    ...lengthPrefixed(new Uint8Array(0)),
  },
  {
    name: "sse",
    framing: "text",
    format: () => sse(),
    codec: "json",
    keepAlive: true,
    endsAtEof: false,
    payload: jsonPayload,
    opening: new Uint8Array(0),
    stream: sseStream,
    withPayload: (frame, payload) => (frame[0] === 0x3a || indexOfBytes(frame, utf8.encode("event: end\n")) === 0 ? frame : replaceBetween(frame, utf8.encode("\ndata: "), utf8.encode("\n\n"), payload)),
    slack: [utf8.encode("\n"), utf8.encode("\n\n\r\n"), utf8.encode(": keep-alive\n"), utf8.encode(": bye\n\n")],
  },
  {
    name: "ndjson",
    framing: "text",
    format: () => ndjson(),
    codec: "json",
    keepAlive: true,
    endsAtEof: false,
    payload: jsonPayload,
    opening: new Uint8Array(0),
    stream: (parts) => concat(parts.map(([kind, payload]) => ndjsonLine(kind, payload))),
    withPayload: (frame, payload) => (indexOfBytes(frame, utf8.encode(',"data":')) < 0 ? frame : replaceBetween(frame, utf8.encode(',"data":'), utf8.encode("}\n"), payload)),
    slack: [utf8.encode("\n"), utf8.encode("\r\n\n"), utf8.encode('{"kind":"keep-alive"}\n')],
  },
];

/** The entry with this name; throws on a typo. */
export function formatEntry(name: string): FormatEntry {
  const entry = FORMATS.find((f) => f.name === name);
  if (!entry) throw new Error(`no format ${name} in test/formats.ts`);
  return entry;
}
