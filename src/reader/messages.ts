// The reader's error messages: what happened, where in the stream, and what to do; built only when something fails.
import { DecodeError } from "../codecs/codec.js";
import { StreamError, describeThrown, partLabel, type RemoteErrorInfo, type StreamPart } from "../errors.js";
import { aFrame } from "../protocol.js";

/** `TRUNCATED`: the input ended or failed before the end frame. */
export function truncated(what: string, pending: string, items: number, bytes: number, cause?: unknown): StreamError {
  const where =
    pending !== "" ? `${pending}, after ${items} items` : bytes === 0 ? "before any bytes arrived (an empty stream)" : `before the end frame, after ${items} items`;
  const tail = cause === undefined ? "" : `: ${describeThrown(cause)}`;
  return new StreamError(
    "TRUNCATED",
    `The stream is incomplete: ${what} ${where}${tail}. The producer stopped or the connection was cut; the items delivered before this are intact.`,
    cause === undefined ? {} : { cause },
  );
}

/** `NETWORK`: the source failed before a single byte arrived (connection refused, DNS, a bad URL). */
export function network(cause: unknown): StreamError {
  // fetch reports "TypeError: fetch failed" and keeps what happened (ECONNREFUSED, ENOTFOUND) as its cause.
  const inner = cause instanceof Error && cause.cause !== undefined ? ` (${describeThrown(cause.cause)})` : "";
  return new StreamError(
    "NETWORK",
    `The stream could not be read: ${describeThrown(cause)}${inner}. No byte arrived: check the URL, that the server is running, and the network.`,
    { cause },
  );
}

/** `FORMAT`: a frame's payload is not a value of the format's codec. */
export function undecodable(part: StreamPart, index: number | undefined, size: number, codec: string, err: unknown): StreamError {
  const reason = err instanceof DecodeError ? err.message : err instanceof RangeError ? "it is nested too deeply to decode" : describeThrown(err);
  return new StreamError(
    "FORMAT",
    `The ${partLabel(part, index)} payload (${size} bytes) does not decode as ${codec}: ${reason}. Check that producer and consumer use the same format.`,
    { cause: err, part, index },
  );
}

/** `REMOTE` from an error frame's value, or `FORMAT` when it is not one. */
export function remoteError(info: unknown, items: number): StreamError {
  const o = info as Partial<RemoteErrorInfo> | null;
  if (typeof o !== "object" || o === null || typeof o.message !== "string") {
    return new StreamError("FORMAT", "The producer sent an error frame without a message.");
  }
  const remote: RemoteErrorInfo = { name: typeof o.name === "string" ? o.name : "Error", message: o.message };
  if (typeof o.code === "string" || typeof o.code === "number") remote.code = o.code;
  if (o.data !== undefined) remote.data = o.data;
  if (typeof o.stack === "string") remote.stack = o.stack;
  // Codes a durable stream's server sends for what is not the producer's failure (its store, its lease, a stop).
  const lead = /^(STORE|GONE|PRODUCER_LOST|CANCELLED)$/.test(String(remote.code)) ? "The server stopped the stream" : "The producer failed";
  return new StreamError("REMOTE", `${lead} after ${items} items: ${remote.name}: ${remote.message}${remote.code !== undefined ? ` (code ${remote.code})` : ""}.`, {
    remote,
  });
}

/** `ORDER`: a frame where the stream's order does not allow it. */
export function outOfOrder(kind: number, expected: string): StreamError {
  return new StreamError("ORDER", `Expected ${expected}, got ${aFrame(kind)}.`);
}

/** `ORDER`: the stream ended after its items without the footer its types declare. */
export function missingFooter(): StreamError {
  return new StreamError("ORDER", "The stream has no footer: it ended after its items without one. The producer did not write a footer.", { part: "footer" });
}
