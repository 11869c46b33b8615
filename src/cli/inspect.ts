// The inspection behind `streamtypes inspect`: frames, values, validation and a summary for any byte source, without a process.
import { StreamError, type StreamErrorCode, type ValidationIssue } from "../errors.js";
import { Wire } from "../reader/parts.js";
import type { Format, Frame, FrameDecoder } from "../format.js";
import { FRAME_HEADER_BYTES, FrameKind, kindName } from "../protocol.js";
import { network, remoteError, truncated, undecodable } from "../reader/messages.js";
import { formatHint } from "../formats/sniff.js";
import { detectFormat, formatFor, nameOf, type FormatName } from "./detect.js";
import { asStreamError, orderAfter, validateAlone, type DefinitionLike } from "./frame-checks.js";
import { Tally } from "./tally.js";
import { printable } from "../printable.js";
import { describePatch } from "../partial/patch.js";

export type { DefinitionLike } from "./frame-checks.js";

export interface InspectOptions {
  /** The format; detected from the first bytes when absent (or taken from `definition`). */
  format?: FormatName | undefined;
  /** Validates header, items and footer with this definition's reader. Its format is used when `format` is absent. */
  definition?: DefinitionLike | undefined;
  /** Longest JSON text printed for one value; longer ones are cut and marked. Default 1024. */
  maxValueBytes?: number | undefined;
  /** Largest frame payload accepted (LIMIT above). Default 16 MiB. */
  maxFrameBytes?: number | undefined;
  /** The input is read live (a URL): frames carry `ms`, and reading stops at the end frame. */
  live?: boolean | undefined;
  /** A format suggested by the transport (Content-Type), used when the bytes do not tell. */
  hint?: FormatName | undefined;
  /** Where each output line goes (without its newline). */
  write: (line: string) => void;
  /** Human-readable lines instead of JSON lines. */
  plain?: boolean | undefined;
  /** Called after every chunk with the bytes read and frames seen so far (the CLI's progress line). */
  progress?: ((bytes: number, frames: number) => void) | undefined;
  /** Milliseconds since the start; performance.now() by default. */
  now?: (() => number) | undefined;
}

/** The last line of an inspection. */
export interface Summary {
  summary: true;
  format: FormatName | null;
  frames: number;
  kinds: Record<string, number>;
  bytes: number;
  payloadBytes: { min: number; max: number; total: number } | null;
  durationMs: number;
  /** "end frame", "end of input" (truss, at a frame boundary), or null when the stream did not end properly. */
  ended: string | null;
  /** Values that failed validation (with `--schema`): part, index and frame index, the first 100. */
  invalid?: { part: string; index?: number; frame: number }[];
  invalidCount?: number;
  error: { code: StreamErrorCode; message: string; pending?: string } | null;
  exitCode: number;
}

/** One frame's output line. */
export interface FrameRecord {
  index: number;
  kind: string;
  offset: number;
  payloadBytes: number;
  ms?: number;
  value?: unknown;
  /** An object stream's patch (issue 25), as one line: `append /title "cakes" ✓`. */
  patch?: string;
  valueError?: { code: StreamErrorCode; message: string };
  invalid?: { code: StreamErrorCode; part: string; index?: number; message: string; issues: ValidationIssue[] };
}

/** Exit status per error code: 2 the stream is invalid, 3 it is incomplete. */
export function exitCodeFor(code: StreamErrorCode | undefined): number {
  if (code === undefined) return 0;
  if (code === "TRUNCATED" || code === "NETWORK" || code === "TIMEOUT") return 3;
  if (code === "OPTIONS") return 1;
  return 2;
}

const DEFAULT_MAX_VALUE_BYTES = 1024;
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
const HEAD_BYTES = 64;


/**
 * Reads a stream from `source` and writes one line per frame, then a summary line. Never throws for bad input:
 * every failure ends up in the summary (code, message, exit status). Memory is bounded by `maxFrameBytes`.
 *
 * @example
 * const summary = await inspect(createReadStream("capture.bin"), { write: console.log });
 * process.exitCode = summary.exitCode;
 */
export async function inspect(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: InspectOptions): Promise<Summary> {
  const run = new Inspection(options);
  let sourceError: unknown;
  try {
    for await (const chunk of source) {
      if (!(chunk instanceof Uint8Array)) throw new TypeError("the source yielded something other than bytes");
      await run.feed(chunk);
      if (run.done) break;
    }
  } catch (err) {
    sourceError = err;
  }
  if (!run.done) await run.finish(sourceError);
  return run.summarize();
}

class Inspection {
  private readonly maxValueBytes: number;
  private readonly maxFrameBytes: number;
  private readonly now: () => number;
  private readonly t0: number;
  private readonly definition: DefinitionLike | undefined;
  private format: Format | undefined;
  private formatName: FormatName | null = null;
  private decoder: FrameDecoder | undefined;
  private lengthPrefixed = false;
  private head: Uint8Array[] = [];
  private headBytes = 0;
  /** Bytes given to the decoder. */
  private pushed = 0;
  /** Bytes read from the source. */
  private bytes = 0;
  /** Text formats: where the frame being received started. */
  private pendingStart = 0;
  private atLineStart = true;
  private items = 0;
  private readonly tally = new Tally();
  private wire = Wire.Start;
  private ended: string | null = null;
  private error: StreamError | undefined;
  private openShown = false;
  private markerBytes = 0;
  /** The first bytes read, for the open frame's line. */
  private readonly openBytes: Uint8Array[] = [];
  /** Stop reading: a framing error, or (live) the end frame. */
  done = false;

  constructor(private readonly options: InspectOptions) {
    this.maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.now = options.now ?? (() => performance.now());
    this.t0 = this.now();
    this.definition = options.definition;
    if (options.format !== undefined) this.choose(options.format);
    else if (this.definition !== undefined) this.choose(nameOf(this.definition.format), this.definition.format);
  }

  async feed(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0 || this.done) return;
    if (this.bytes < 16) this.openBytes.push(chunk.subarray(0, 16));
    this.bytes += chunk.length;
    if (this.decoder === undefined) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      const head = concat(this.head, HEAD_BYTES);
      const found = detectFormat(head, false);
      if (found === "more" && this.headBytes < HEAD_BYTES) return this.tick();
      if (found === undefined || found === "more") {
        if (this.options.hint === undefined) return this.fail(unrecognised(head));
        this.choose(this.options.hint);
      } else this.choose(found);
      const held = this.head;
      this.head = [];
      for (const piece of held) await this.push(piece);
    } else await this.push(chunk);
    this.tick();
  }

  async finish(sourceError: unknown): Promise<void> {
    if (this.error !== undefined) return;
    if (sourceError !== undefined) {
      if (this.bytes === 0) return this.fail(network(sourceError));
      const pending = this.decoder?.describePending() ?? "";
      return this.fail(truncated("the source failed", pending, this.items, this.bytes, sourceError), pending);
    }
    if (this.decoder === undefined) {
      if (this.bytes === 0) return this.fail(new StreamError("TRUNCATED", "The input is empty: no byte arrived, so there is no stream to inspect."));
      const head = concat(this.head, HEAD_BYTES);
      const found = detectFormat(head, true) ?? this.options.hint;
      if (found === undefined || found === "more") return this.fail(unrecognised(head));
      this.choose(found);
      const held = this.head;
      this.head = [];
      for (const piece of held) await this.push(piece);
      if (this.done) return;
    }
    const decoder = this.decoder!;
    if (this.wire === Wire.Ended) {
      if (!this.options.live && decoder.hasTrailingData()) this.fail(afterEnd(decoder));
      return;
    }
    let end: Frame | undefined;
    try {
      end = decoder.atEnd();
      await this.drain(true);
    } catch (err) {
      return this.fail(asStreamError(err));
    }
    if (this.done || (this.wire as Wire) === Wire.Ended) return;
    if (end !== undefined) {
      this.ended = "end of input";
      this.wire = Wire.Ended;
      return;
    }
    const pending = decoder.describePending();
    this.fail(truncated("the input ended", pending, this.items, this.bytes), pending);
  }

  summarize(): Summary {
    const tally = this.tally;
    let error = this.error;
    if (error === undefined && tally.invalidCount > 0) {
      error = new StreamError(
        "VALIDATION",
        `${tally.invalidCount} value${tally.invalidCount === 1 ? " does" : "s do"} not match ${tally.invalidCount === 1 ? "its schema" : "their schemas"}; the first: ${tally.firstInvalid}`,
      );
    }
    const pending = (error as { pending?: string } | undefined)?.pending;
    const max = this.maxValueBytes;
    const summary: Summary = {
      summary: true,
      format: this.formatName,
      frames: tally.frames,
      kinds: tally.kinds,
      bytes: this.bytes,
      payloadBytes: tally.payloadBytes,
      durationMs: Math.round((this.now() - this.t0) * 10) / 10,
      ended: this.ended,
      error: error === undefined ? null : { code: error.code, message: clip(error.message, max), ...(pending ? { pending } : {}) },
      exitCode: exitCodeFor(error?.code),
    };
    if (this.definition !== undefined) {
      summary.invalid = tally.invalid;
      summary.invalidCount = tally.invalidCount;
    }
    this.options.write(outputLine(summary, this.options.plain === true));
    return summary;
  }

  private choose(name: FormatName, format?: Format): void {
    this.formatName = name;
    this.format = format ?? (this.definition !== undefined && nameOf(this.definition.format) === name ? this.definition.format : formatFor(name));
    this.decoder = this.format.decoder({ maxFrameBytes: this.maxFrameBytes });
    this.lengthPrefixed = name === "binary" || name === "binary-json" || name === "truss";
    if (name === "binary" || name === "binary-json") this.markerBytes = FRAME_HEADER_BYTES + 6;
  }

  private tick(): void {
    this.options.progress?.(this.bytes, this.tally.frames);
  }

  /** Gives bytes to the decoder; text formats line by line, so that each frame's offset is known. */
  private async push(chunk: Uint8Array): Promise<void> {
    const decoder = this.decoder!;
    if (this.wire === Wire.Ended) return this.afterEndBytes(chunk);
    if (this.lengthPrefixed) {
      decoder.push(chunk);
      this.pushed += chunk.length;
      return this.drainSafely(false);
    }
    let at = 0;
    while (at < chunk.length && !this.done) {
      const lf = chunk.indexOf(0x0a, at);
      const end = lf < 0 ? chunk.length : lf + 1;
      const piece = chunk.subarray(at, end);
      const startedLine = this.atLineStart;
      decoder.push(piece);
      this.pushed += piece.length;
      this.atLineStart = lf >= 0;
      at = end;
      const before = this.tally.frames;
      await this.drainSafely(false);
      if (this.tally.frames !== before) this.pendingStart = this.pushed;
      else if (startedLine && lf >= 0 && isBlank(piece)) this.pendingStart = this.pushed;
      if ((this.wire as Wire) === Wire.Ended && !this.done) return this.afterEndBytes(chunk.subarray(at));
    }
  }

  /** Bytes after the end frame: any is an error in the length-prefixed formats; text formats allow slack. */
  private async afterEndBytes(chunk: Uint8Array): Promise<void> {
    const decoder = this.decoder!;
    if (this.options.live) {
      this.done = true;
      return;
    }
    if (chunk.length > 0) {
      decoder.push(chunk);
      this.pushed += chunk.length;
    }
    if (this.lengthPrefixed ? decoder.bufferedBytes > 0 : decoder.hasTrailingData()) this.fail(afterEnd(decoder));
  }

  private async drainSafely(atEnd: boolean): Promise<void> {
    try {
      await this.drain(atEnd);
    } catch (err) {
      this.fail(asStreamError(err));
    }
  }

  private async drain(_atEnd: boolean): Promise<void> {
    const decoder = this.decoder!;
    while (!this.done && this.wire !== Wire.Ended) {
      const frame = decoder.next();
      if (!this.openShown && this.markerBytes > 0 && this.pushed - decoder.bufferedBytes >= this.markerBytes) this.showOpen();
      if (frame === undefined) return;
      await this.onFrame(frame);
    }
  }

  private showOpen(): void {
    this.openShown = true;
    const head = concat(this.openBytes, this.markerBytes);
    const record: FrameRecord = {
      index: this.tally.frames,
      kind: "open",
      offset: 0,
      payloadBytes: 6,
      ...this.ms(),
      value: { magic: "STYP", version: head[9], codec: head[10] === 2 ? "json" : "msgpack" },
    };
    this.tally.count("open", 6);
    this.emit(record);
  }

  private ms(): { ms?: number } {
    return this.options.live ? { ms: Math.round((this.now() - this.t0) * 10) / 10 } : {};
  }

  private async onFrame(frame: Frame): Promise<void> {
    const decoder = this.decoder!;
    const kind = frame.kind;
    const payloadBytes = decoder.payloadSize(frame);
    const offset = this.lengthPrefixed ? this.pushed - decoder.bufferedBytes - FRAME_HEADER_BYTES - payloadBytes : this.pendingStart;
    const record: FrameRecord = { index: this.tally.frames, kind: kindName(kind), offset, payloadBytes, ...this.ms() };
    this.tally.count(record.kind, payloadBytes);
    const part = kind === FrameKind.HEADER ? "header" : kind === FrameKind.ITEM ? "item" : kind === FrameKind.FOOTER ? "footer" : undefined;
    const index = kind === FrameKind.ITEM ? this.items : undefined;
    let value: unknown;
    let decoded = false;
    if (part !== undefined || kind === FrameKind.ERROR) {
      try {
        value = decoder.value(frame);
        decoded = true;
        record.value = render(value, this.maxValueBytes);
        const patch = kind === FrameKind.ITEM ? describePatch(value) : undefined;
        if (patch !== undefined) record.patch = patch;
      } catch (err) {
        const e = err instanceof StreamError ? err : undecodable(part ?? "item", index, payloadBytes, this.format!.codec.name, err);
        record.valueError = { code: e.code, message: clip(kind === FrameKind.ERROR ? `The error frame does not decode: ${e.message}` : e.message, this.maxValueBytes) };
        this.note(e);
      }
    }
    // The order rules of the reader.
    const order = orderAfter(this.wire, kind, this.definition, this.items);
    this.wire = order.wire;
    if (order.error !== undefined) this.note(order.error);
    if (kind === FrameKind.ITEM) this.items++;
    if (decoded && part !== undefined && this.definition !== undefined) {
      const invalid = await validateAlone(this.definition, frame, kind, part, index, value, this.maxFrameBytes);
      if (invalid !== undefined) {
        record.invalid = {
          code: invalid.code,
          part,
          ...(index === undefined ? {} : { index }),
          message: clip(index === undefined ? invalid.message : invalid.message.replace(/\bitem 0\b/, `item ${index}`), this.maxValueBytes),
          issues: clipIssues(invalid.issues ?? [], this.maxValueBytes),
        };
        this.tally.countInvalid(part, index, record.index, record.invalid.message);
      }
    }
    this.emit(record);
    if (kind === FrameKind.ERROR) {
      this.wire = Wire.Ended;
      if (decoded) this.note(remoteError(value, this.items));
      this.done = true;
    } else if (kind === FrameKind.END) {
      this.ended = "end frame";
      this.wire = Wire.Ended;
      if (this.options.live) this.done = true;
    }
  }

  /** The first stream-level error is kept; inspection goes on while the framing allows. */
  private note(err: StreamError): void {
    this.error ??= err;
  }

  private emit(record: FrameRecord): void {
    this.options.write(outputLine(record, this.options.plain === true));
  }

  private fail(err: StreamError, pending?: string): void {
    if (pending) (err as { pending?: string }).pending = pending;
    // A format given (--format, or --schema's definition) that the bytes are not: name the one they look like, as readers do.
    if (err.code === "FORMAT" && this.tally.frames === 0 && this.format !== undefined) err.message += formatHint(concat(this.openBytes, 32), undefined, this.format);
    this.error ??= err;
    this.done = true;
  }
}

function isBlank(piece: Uint8Array): boolean {
  for (const b of piece) if (b !== 0x0a && b !== 0x0d) return false;
  return true;
}

function concat(chunks: Uint8Array[], max: number): Uint8Array {
  const total = Math.min(max, chunks.reduce((n, c) => n + c.length, 0));
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    if (at >= total) break;
    const take = c.subarray(0, total - at);
    out.set(take, at);
    at += take.length;
  }
  return out;
}

function afterEnd(decoder: FrameDecoder): StreamError {
  return new StreamError("ORDER", `Data follows the end frame (${Math.max(1, decoder.bufferedBytes)}+ bytes): a frame after the end, or two streams concatenated.`);
}

function unrecognised(head: Uint8Array): StreamError {
  const text = [...head.subarray(0, 48)].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0x0a ? "\\n" : "·")).join("");
  const hex = [...head.subarray(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  return new StreamError(
    "FORMAT",
    `Not a streamtypes stream in any known format (binary, truss, SSE, NDJSON). First bytes: "${text}" (${hex}${head.length > 12 ? " …" : ""}). ` +
      `If it is one, name it with --format.`,
  );
}

// ---- values as JSON ----

class Budget extends Error {}

const TYPED_ITEMS = 16;

/**
 * A value as JSON-able data for output, cut at `maxBytes` characters of JSON text: bigints as `{"$bigint":"1"}`,
 * Dates as `{"$date":"…"}`, typed arrays as `{"$Float32Array":[first items],"length":n}`, `undefined`, `NaN`,
 * `±Infinity` and `-0` as `{"$undefined":true}` and `{"$number":"NaN"}`. A value too long becomes
 * `{"$truncated":"<the first maxBytes characters of its JSON text>…","length":"> maxBytes"}`.
 *
 * @example
 * render({ n: 1n }, 1024); // { n: { $bigint: "1" } }
 */
export function render(value: unknown, maxBytes: number): unknown {
  const parts: string[] = [];
  let length = 0;
  const put = (s: string): void => {
    parts.push(s);
    length += s.length;
    if (length > maxBytes) throw new Budget();
  };
  const walk = (v: unknown): void => {
    if (v === null || typeof v === "boolean") return put(String(v));
    if (typeof v === "string") return put(JSON.stringify(v.length > maxBytes + 1 ? v.slice(0, maxBytes + 1) : v));
    if (typeof v === "number") {
      if (!Number.isFinite(v) || Object.is(v, -0)) return put(`{"$number":"${Object.is(v, -0) ? "-0" : String(v)}"}`);
      return put(String(v));
    }
    if (typeof v === "bigint") return put(`{"$bigint":"${v.toString()}"}`);
    if (v === undefined) return put(`{"$undefined":true}`);
    if (typeof v !== "object") return put(JSON.stringify(String(v)));
    if (v instanceof Date) return put(`{"$date":${JSON.stringify(Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString())}}`);
    if (ArrayBuffer.isView(v)) {
      const name = v.constructor.name;
      if (v instanceof DataView) return put(`{"$DataView":${v.byteLength}}`);
      const arr = v as unknown as ArrayLike<number | bigint>;
      put(`{"$${name}":[`);
      for (let i = 0; i < Math.min(arr.length, TYPED_ITEMS); i++) {
        if (i) put(",");
        const x = arr[i]!;
        put(typeof x === "bigint" ? `"${x}"` : Number.isFinite(x) ? String(x) : `"${x}"`);
      }
      return put(`],"length":${arr.length}}`);
    }
    if (v instanceof ArrayBuffer) return put(`{"$ArrayBuffer":${v.byteLength}}`);
    if (Array.isArray(v)) {
      put("[");
      for (let i = 0; i < v.length; i++) {
        if (i) put(",");
        walk(v[i]);
      }
      return put("]");
    }
    if (v instanceof Map) return walk(Object.fromEntries(v));
    if (v instanceof Set) return walk({ $Set: [...v] });
    put("{");
    let first = true;
    for (const key of Object.keys(v)) {
      if (!first) put(",");
      first = false;
      put(JSON.stringify(key) + ":");
      walk((v as Record<string, unknown>)[key]);
    }
    put("}");
  };
  try {
    walk(value);
  } catch (err) {
    if (!(err instanceof Budget)) throw err;
    const text = parts.join("").slice(0, maxBytes);
    return { $truncated: `${text}…`, length: `> ${maxBytes}` };
  }
  return JSON.parse(parts.join(""));
}

// ---- output: bounded, and printable whatever the stream holds ----

/** Issues listed per invalid value, at most. */
const MAX_ISSUES = 10;

/**
 * Text from the stream (a message, a path) cut at `max` characters, as values are: every output line stays bounded.
 *
 * @example
 * clip("x".repeat(2000), 1024); // the first 1024 characters, then "… (2000 characters)"
 */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

function clipIssues(issues: ValidationIssue[], max: number): ValidationIssue[] {
  return issues.slice(0, MAX_ISSUES).map((issue) => ({ path: clip(issue.path, max), message: clip(issue.message, max) }));
}

/**
 * A frame or summary line as printed: JSON text (which escapes C0 controls itself) or plain text, with every
 * control, bidi and other format character that remains (C1, DEL, U+202E, …; C0 in plain text) escaped visibly.
 * In JSON the escapes are JSON escapes, so the line still parses to the same value.
 */
function outputLine(record: FrameRecord | Summary, plain: boolean): string {
  if (!plain) return printable(JSON.stringify(record));
  return printable("summary" in record ? plainSummary(record) : plainFrame(record), true);
}


function plainFrame(r: FrameRecord): string {
  const ms = r.ms === undefined ? "" : ` +${r.ms}ms`;
  let line = `#${r.index} ${r.kind.padEnd(10)} @${r.offset} ${r.payloadBytes}B${ms}`;
  if (r.patch !== undefined) line += `  ${r.patch}`;
  else if (r.value !== undefined) line += `  ${JSON.stringify(r.value)}`;
  if (r.valueError !== undefined) line += `  ! ${r.valueError.code}: ${r.valueError.message}`;
  if (r.invalid !== undefined) line += `\n    ! ${r.invalid.code}: ${r.invalid.message}`;
  return line;
}

function plainSummary(s: Summary): string {
  const kinds = Object.entries(s.kinds)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  const payload = s.payloadBytes === null ? "" : `; payloads ${s.payloadBytes.min}–${s.payloadBytes.max} B, ${s.payloadBytes.total} B in all`;
  const status =
    s.error === null ? `OK: ended with the ${s.ended}` : `${s.error.code}: ${s.error.message}`;
  const invalid = s.invalidCount ? `; ${s.invalidCount} invalid value${s.invalidCount === 1 ? "" : "s"}` : "";
  return `-- ${s.format ?? "unknown format"}: ${s.frames} frames (${kinds || "none"}), ${s.bytes} bytes${payload}, ${s.durationMs} ms${invalid}\n-- ${status} (exit ${s.exitCode})`;
}
