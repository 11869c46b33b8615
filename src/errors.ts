// StreamError: the one error type the library raises, with a machine-readable code and a byte preview helper.

/** What went wrong, in a word that code can switch on. */
export type StreamErrorCode =
  | "ORDER"
  | "FORMAT"
  | "LIMIT"
  | "TRUNCATED"
  | "VALIDATION"
  | "REMOTE"
  | "HTTP"
  | "TIMEOUT"
  | "OPTIONS";

/** Which part of a stream a value belongs to. */
export type StreamPart = "header" | "item" | "footer";

/** One schema violation: a JSON-pointer-like path into the value and what was expected there. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** What a producer sent in its error frame. */
export interface RemoteErrorInfo {
  name: string;
  message: string;
  code?: string | number;
  data?: unknown;
  stack?: string;
}

/** Extra facts attached to a {@link StreamError}; all optional. */
export interface StreamErrorDetails {
  cause?: unknown;
  part?: StreamPart;
  /** Zero-based item index, for `part: "item"`. */
  index?: number;
  issues?: ValidationIssue[];
  remote?: RemoteErrorInfo;
  /** HTTP status, for code `HTTP`. */
  status?: number;
}

/**
 * The error every detected failure is reported with. Switch on `code`.
 *
 * @example
 * try {
 *   for await (const item of STREAM.reader(res).readItems()) use(item);
 * } catch (err) {
 *   if (err instanceof StreamError && err.code === "REMOTE") console.error("producer failed:", err.remote?.message);
 *   else throw err;
 * }
 */
export class StreamError extends Error {
  readonly code: StreamErrorCode;
  readonly part?: StreamPart;
  readonly index?: number;
  readonly issues?: ValidationIssue[];
  readonly remote?: RemoteErrorInfo;
  readonly status?: number;

  constructor(code: StreamErrorCode, message: string, details: StreamErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "StreamError";
    this.code = code;
    if (details.part !== undefined) this.part = details.part;
    if (details.index !== undefined) this.index = details.index;
    if (details.issues !== undefined) this.issues = details.issues;
    if (details.remote !== undefined) this.remote = details.remote;
    if (details.status !== undefined) this.status = details.status;
  }
}

/** "header", "item 3" or "footer": how messages name a part. */
export function partLabel(part: StreamPart, index?: number): string {
  return part === "item" && index !== undefined ? `item ${index}` : part;
}

const PREVIEW_BYTES = 48;

/**
 * A short printable rendering of bytes, so that an HTML or JSON error page that reached the reader
 * instead of a stream is recognisable at a glance: `"<!DOCTYPE html>…" (3c 21 44 4f 43 …)`.
 */
export function previewBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return "(no bytes)";
  const head = bytes.subarray(0, PREVIEW_BYTES);
  let text = "";
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0x0a ? "\\n" : b === 0x0d ? "\\r" : "·";
  }
  let hex = "";
  for (let i = 0; i < Math.min(head.length, 12); i++) hex += (i ? " " : "") + head[i]!.toString(16).padStart(2, "0");
  const more = bytes.length > head.length ? "…" : "";
  return `"${text}${more}" (${hex}${bytes.length > 12 ? " …" : ""})`;
}

/** A thrown value as a one-line description, for messages about causes. */
export function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
