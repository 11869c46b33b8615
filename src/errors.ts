// StreamError: the one error type the library raises, with a machine-readable code and a byte preview helper.
import { printable } from "./printable.js";

/** What went wrong, in a word that code can switch on. */
export type StreamErrorCode =
  | "ORDER"
  | "FORMAT"
  | "LIMIT"
  | "TRUNCATED"
  | "NETWORK"
  | "VALIDATION"
  | "REMOTE"
  | "HTTP"
  | "TIMEOUT"
  | "OPTIONS"
  /** A durable stream, or the position asked for, is no longer in its replay store (expired, deleted, or lost). */
  | "GONE"
  /** A durable stream's replay store could not be reached (or kept failing) for longer than the retries allow. */
  | "STORE"
  /** A durable stream's producer stopped renewing its lease before the end: the instance running it died. */
  | "PRODUCER_LOST";

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
  part?: StreamPart | undefined;
  /** Zero-based item index, for `part: "item"`. */
  index?: number | undefined;
  issues?: ValidationIssue[] | undefined;
  remote?: RemoteErrorInfo | undefined;
  /** HTTP status, for code `HTTP`. */
  status?: number | undefined;
}

/** The details a StreamError keeps as its own properties, in this order, when given. */
const DETAIL_KEYS = ["part", "index", "issues", "remote", "status"] as const;

/** Marks every StreamError, whichever build made it. */
const STREAM_ERROR_BRAND: unique symbol = Symbol.for("streamtypes.StreamError");

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
  // `declare`: fields that are not given stay absent, so a printed error shows only what it has.
  declare readonly code: StreamErrorCode;
  declare readonly part?: StreamPart;
  declare readonly index?: number;
  declare readonly issues?: ValidationIssue[];
  declare readonly remote?: RemoteErrorInfo;
  declare readonly status?: number;

  /** `message` may quote the stream (event names, JSON errors, paths, a remote message): it is made printable here, once for all. */
  constructor(code: StreamErrorCode, message: string, details: StreamErrorDetails = {}) {
    super(printable(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "StreamError";
    const self = this as unknown as Record<string, unknown>;
    self.code = code;
    for (const key of DETAIL_KEYS) if (details[key] !== undefined) self[key] = details[key];
    Object.defineProperty(this, STREAM_ERROR_BRAND, { value: true });
  }

  /**
   * `instanceof StreamError` holds for errors from any copy of this class: the main and browser entries, and the
   * ESM and CommonJS builds, each have their own, and a value thrown by one must be recognised by all.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[STREAM_ERROR_BRAND] === true;
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

/** A thrown value's message (an Error's `message`, anything else as a string), for messages that quote it. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A thrown value as a one-line description, for messages about causes. */
export function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
