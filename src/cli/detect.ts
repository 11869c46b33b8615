// Format detection for `streamtypes inspect`: which of the five wire formats a stream's first bytes are.
import { json } from "../codecs/json.js";
import { msgpack } from "../codecs/msgpack.js";
import type { Format } from "../format.js";
import { binary } from "../formats/binary.js";
import { ndjson } from "../formats/ndjson.js";
import { sse } from "../formats/sse.js";
import { truss } from "../formats/truss.js";

export { formatFromContentType } from "../formats/sniff.js";

/** The names `--format` takes. */
export const FORMAT_NAMES = ["binary", "binary-json", "truss", "sse", "ndjson"] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/** The format value for a name. */
export function formatFor(name: FormatName): Format {
  switch (name) {
    case "binary":
      return binary(msgpack());
    case "binary-json":
      return binary(json());
    case "truss":
      return truss();
    case "sse":
      return sse();
    case "ndjson":
      return ndjson();
  }
}

/** The `--format` name of a format value (a definition's). */
export function nameOf(format: Format): FormatName {
  if (format.name === "binary") return format.codec.name === "json" ? "binary-json" : "binary";
  return (FORMAT_NAMES as readonly string[]).includes(format.name) ? (format.name as FormatName) : "binary";
}

/** What detection made of the first bytes: a format, "more" (undecided: needs more bytes), or undefined (none fits). */
export type Detection = FormatName | "more" | undefined;

const MARKER = [0x01, 0x00, 0x00, 0x00, 0x06, 0x53, 0x54, 0x59, 0x50, 0x01] as const;
const SSE_STARTS = ["event:", "id:", "data:", "retry:", ":"];
/** Truss frames longer than this are not taken for truss when guessing (an explicit --format truss still reads them). */
const PLAUSIBLE_TRUSS_BYTES = 0x40000000;

/**
 * Guesses the format from the first bytes of a stream: the binary marker `01 00 00 00 06 "STYP" 01 <codec>`,
 * SSE lines (`event:`, `id:`, `data:`, `retry:`, `:`), an NDJSON line `{"kind":`, or a truss frame (kind 2–6,
 * a plausible length, a payload that starts like JSON). `eof`: no more bytes will come, decide with these.
 *
 * @example
 * detectFormat(new TextEncoder().encode('{"kind":"item","data":1}\n'), false); // "ndjson"
 */
export function detectFormat(head: Uint8Array, eof: boolean): Detection {
  if (head.length === 0) return eof ? undefined : "more";
  // Binary: the marker, byte for byte, then the codec id.
  const markerMatch = MARKER.every((b, i) => i >= head.length || head[i] === b);
  if (markerMatch) {
    if (head.length <= MARKER.length) return eof ? "binary" : "more"; // cut inside the marker: binary reports it
    return head[MARKER.length] === 2 ? "binary-json" : "binary";
  }
  // Text formats: skip a BOM and leading blank lines / whitespace.
  let at = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (at < head.length && (head[at] === 0x0a || head[at] === 0x0d || head[at] === 0x20 || head[at] === 0x09)) at++;
  const text = new TextDecoder("latin1").decode(head.subarray(at, at + 16));
  if (text.length > 0) {
    if (SSE_STARTS.some((s) => text.startsWith(s))) return "sse";
    if (text.startsWith("{")) {
      const compact = text.replace(/[ \t]/g, "");
      if (compact.startsWith('{"kind"')) return "ndjson";
      if ('{"kind"'.startsWith(compact) && !eof) return "more";
    }
    if (!eof && text.length < 6 && SSE_STARTS.some((s) => s.startsWith(text))) return "more";
  }
  // Truss: kind 2–6, a length that fits, and (when there is a payload) JSON-looking first byte.
  const kind = head[0]!;
  if (kind >= 2 && kind <= 6) {
    if (head.length < 5) return eof ? "truss" : "more";
    const length = ((head[1]! << 24) | (head[2]! << 16) | (head[3]! << 8) | head[4]!) >>> 0;
    if (length >= PLAUSIBLE_TRUSS_BYTES) return undefined;
    if (kind === 5) return length === 0 ? "truss" : undefined;
    if (length === 0) return undefined; // truss payloads are JSON texts: never empty
    if (head.length === 5) return eof ? "truss" : "more";
    const first = head[5]!;
    return JSON_STARTS.has(first) ? "truss" : undefined;
  }
  return undefined;
}

/** Bytes a JSON text may start with: whitespace, `{ [ "`, a digit, `-`, `t f n`. */
const JSON_STARTS = new Set([..." \t\r\n{[\"-0123456789tfn"].map((c) => c.charCodeAt(0)));
