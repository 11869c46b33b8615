// The NDJSON framing: one JSON object per line, {"kind":"item","data":...}, with end, error and keep-alive lines.
import { StreamError, previewBytes } from "./errors.js";
import { FrameKind, kindName, kindNamed, type Frame, type FrameSplitter, type PendingFrame } from "./frame.js";


/** The frame kinds an NDJSON line can be, named as in frame.ts. */
const LINE_KINDS = [FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.END, FrameKind.ERROR, FrameKind.KEEPALIVE];
const WITH_DATA = new Set<number>([FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.ERROR]);

const encoder = new TextEncoder();
const PREFIXES: Record<number, Uint8Array> = {};
const BARE_LINES: Record<number, Uint8Array> = {};
for (const kind of LINE_KINDS) {
  PREFIXES[kind] = encoder.encode(`{"kind":"${kindName(kind)}","data":`);
  BARE_LINES[kind] = encoder.encode(`{"kind":"${kindName(kind)}"}\n`);
}
const EMPTY = new Uint8Array(0);
const NEWLINE = 0x0a;

/**
 * One NDJSON line: `{"kind":"item","data":<payload>}\n`; the end and keep-alive lines have no data.
 *
 * @example
 * new TextDecoder().decode(ndjsonLine(FrameKind.END, new Uint8Array(0))); // '{"kind":"end"}\n'
 */
export function ndjsonLine(kind: number, payload: Uint8Array): Uint8Array {
  if (!WITH_DATA.has(kind)) return BARE_LINES[kind]!;
  const prefix = PREFIXES[kind]!;
  const line = new Uint8Array(prefix.length + payload.length + 2);
  line.set(prefix, 0);
  line.set(payload, prefix.length);
  line[line.length - 2] = 0x7d; // }
  line[line.length - 1] = NEWLINE;
  return line;
}

/**
 * Splits NDJSON bytes into frames. Lines are found with `indexOf`, kept as a list of pieces until complete, and
 * limited to `maxFrameBytes`; each line must be an object `{kind, data?}` with a known kind. Blank lines are
 * skipped. The parsed `data` is the frame's value; validation happens in the reader.
 */
export class NdjsonDecoder implements FrameSplitter {
  private readonly queue: Uint8Array[] = []; // chunks not looked at yet
  private queued = 0;
  private readonly pieces: Uint8Array[] = []; // the start of a line that spans chunks
  private held = 0;
  private chunk: Uint8Array = EMPTY;
  private at = 0;
  private line = 0;
  private readonly text = new TextDecoder("utf-8", { fatal: true });

  constructor(private readonly maxFrameBytes: number) {}

  get bufferedBytes(): number {
    return this.held + this.chunk.length - this.at + this.queued;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
  }

  next(): Frame | undefined {
    for (;;) {
      if (this.at >= this.chunk.length) {
        const chunk = this.queue.shift();
        if (chunk === undefined) return undefined;
        this.queued -= chunk.length;
        this.chunk = chunk;
        this.at = 0;
      }
      const end = this.chunk.indexOf(NEWLINE, this.at);
      if (end < 0) {
        this.pieces.push(this.chunk.subarray(this.at));
        this.held += this.chunk.length - this.at;
        this.at = this.chunk.length;
        if (this.held > this.maxFrameBytes + 64) {
          throw new StreamError("LIMIT", `An NDJSON line is longer than ${this.maxFrameBytes} bytes (maxFrameBytes). Raise maxFrameBytes if values this large are expected.`);
        }
        continue;
      }
      let bytes = this.chunk.subarray(this.at, end);
      this.at = end + 1;
      if (this.pieces.length > 0) {
        bytes = joinPieces(this.pieces, this.held, bytes);
        this.pieces.length = 0;
        this.held = 0;
      }
      this.line++;
      if (bytes.length > this.maxFrameBytes + 64) {
        throw new StreamError("LIMIT", `NDJSON line ${this.line} has ${bytes.length} bytes, over maxFrameBytes (${this.maxFrameBytes}).`);
      }
      const frame = this.parseLine(bytes);
      if (frame !== undefined) return frame;
    }
  }

  pending(): PendingFrame {
    return { bufferedBytes: this.bufferedBytes };
  }

  previewHeld(max = 48): Uint8Array {
    const first = this.pieces[0] ?? (this.at < this.chunk.length ? this.chunk.subarray(this.at) : (this.queue[0] ?? EMPTY));
    return first.subarray(0, max);
  }

  private parseLine(bytes: Uint8Array): Frame | undefined {
    if (bytes.length === 0 || (bytes.length === 1 && bytes[0] === 0x0d)) return undefined;
    let line: unknown;
    try {
      line = JSON.parse(this.text.decode(bytes));
    } catch (err) {
      throw new StreamError("FORMAT", `NDJSON line ${this.line} is not valid JSON: ${previewBytes(bytes)}. Is this an NDJSON streamtypes stream?`, { cause: err });
    }
    const kind = typeof line === "object" && line !== null && !Array.isArray(line) ? kindNamed((line as { kind?: unknown }).kind, LINE_KINDS) : undefined;
    if (kind === undefined) {
      throw new StreamError("FORMAT", `NDJSON line ${this.line} is not a streamtypes line {"kind": "header" | "item" | "footer" | "end" | "error", "data": …}: ${previewBytes(bytes)}.`);
    }
    if (WITH_DATA.has(kind) !== Object.hasOwn(line as object, "data")) {
      throw new StreamError("FORMAT", `NDJSON line ${this.line}: a ${kindName(kind)} line ${WITH_DATA.has(kind) ? "needs" : "has no"} "data".`);
    }
    return { kind, payload: EMPTY, value: (line as { data?: unknown }).data };
  }
}

function joinPieces(pieces: Uint8Array[], held: number, last: Uint8Array): Uint8Array {
  const out = new Uint8Array(held + last.length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  out.set(last, at);
  return out;
}
