// Which wire format a stream's first bytes (or its Content-Type) look like, in a few checks: the readers' hint on a FORMAT error at the start.
import type { Format } from "../format.js";

/** A format by the name `streamtypes inspect --format` takes. */
type Name = "binary" | "binary-json" | "truss" | "sse" | "ndjson";

/** How a reader asks for each format: `{ format: … }`. */
const OPTION: Record<Name, string> = { binary: "binary(msgpack())", "binary-json": "binary(json())", sse: "sse()", ndjson: "ndjson()", truss: "truss()" };

/**
 * The format a Content-Type names, if any.
 *
 * @example
 * formatFromContentType("text/event-stream; charset=utf-8"); // "sse"
 */
export function formatFromContentType(contentType: string | null | undefined): Name | undefined {
  const type = (contentType ?? "").toLowerCase();
  if (type.startsWith("application/vnd.streamtypes")) return /codec=json/.test(type) ? "binary-json" : "binary";
  if (type.startsWith("text/event-stream")) return "sse";
  if (type.startsWith("application/x-ndjson") || type.startsWith("application/jsonl")) return "ndjson";
  return undefined;
}

/** The format the first bytes look like: the binary marker, an SSE field, an NDJSON line, a truss frame header. */
function lookLike(head: Uint8Array): Name | undefined {
  // 01 00 00 00 06 "STYP" 01 <codec>; a head cut before the codec byte reads as MessagePack
  if (head[0] === 1 && head[5] === 0x53 && head[6] === 0x54) return head[10] === 2 ? "binary-json" : "binary";
  const text = new TextDecoder("latin1").decode(head).replace(/^(\xef\xbb\xbf)?\s*/, "");
  if (/^(event|id|data|retry)?:/.test(text)) return "sse";
  if (/^\{\s*"kind"/.test(text)) return "ndjson";
  if (head[0]! >= 2 && head[0]! <= 6 && head[1] === 0 && head.length > 1) return "truss";
  return undefined;
}

/**
 * A sentence for a FORMAT error at the start of a stream read as `own`: the other format its first bytes (or else
 * its Content-Type) look like, and the option that reads it. Empty when they look like `own`, or like nothing.
 *
 * @example
 * formatHint(new TextEncoder().encode("event: item\n"), null, binary(msgpack()));
 * // " These bytes look like sse: read them with { format: sse() }."
 */
export function formatHint(head: Uint8Array, contentType: string | null | undefined, own: Format): string {
  const seen = lookLike(head);
  const found = seen ?? formatFromContentType(contentType);
  const ownName = own.name === "binary" && own.codec.name === "json" ? "binary-json" : own.name;
  if (found === undefined || found === ownName) return "";
  return ` ${seen ? "These bytes look like" : `The Content-Type (${contentType!.slice(0, 60).replace(/[^ -~]/g, "·")}) says`} ${found}: read them with { format: ${OPTION[found]} }.`;
}
