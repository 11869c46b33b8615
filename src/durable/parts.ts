// Parts, not frames: a format whose "frames" are a kind byte and the payload, so that a writer's validated, encoded parts can go to a replay store.
import type { Format, FrameEncoder } from "../format.js";
import { FrameKind } from "../protocol.js";

const EMPTY = new Uint8Array(0);

/**
 * `format` with an encoder that frames nothing: each "frame" is the kind byte followed by the codec's payload.
 * A writer over it validates and encodes exactly as over `format`; {@link splitPart} takes the part back.
 */
export function partsFormat(format: Format): Format {
  return {
    ...format,
    keepAlive: true,
    resumable: false,
    encoder: ({ maxPayloadBytes }) => new PartEncoder(format, maxPayloadBytes),
  };
}

class PartEncoder implements FrameEncoder {
  readonly startIndex = 0;
  payloadBytes = 0;

  constructor(
    private readonly format: Format,
    private readonly maxPayloadBytes: number,
  ) {}

  frame(kind: number, payload: Uint8Array): Uint8Array {
    const out = new Uint8Array(1 + payload.length);
    out[0] = kind;
    out.set(payload, 1);
    return out;
  }

  frameValue(kind: number, value: unknown): Uint8Array {
    const payload = this.format.codec.encode(value);
    this.payloadBytes = payload.length;
    return payload.length > this.maxPayloadBytes ? EMPTY : this.frame(kind, payload);
  }
}

/** A part made by {@link partsFormat}'s encoder: its kind and payload. */
export function splitPart(part: Uint8Array): { kind: number; payload: Uint8Array } {
  return { kind: part[0] ?? FrameKind.KEEPALIVE, payload: part.subarray(1) };
}

/**
 * Positions as the resumable formats give them (see formats/positions.ts): the header 0, item i → i + 1, the
 * footer, end and error the next ids. `peek` says the next part's id without taking it, so that a part a store
 * refused does not use up an id.
 */
export class Positions {
  private items: number;
  private last: number;

  /** After `after` (-1: nothing yet): the next item is item `after` (id after + 1). */
  constructor(after: number) {
    this.items = Math.max(after, 0);
    this.last = after;
  }

  peek(kind: number): number {
    if (kind === FrameKind.HEADER) return 0;
    if (kind === FrameKind.ITEM) return this.items + 1;
    return this.last + 1;
  }

  take(kind: number): number {
    const id = this.peek(kind);
    if (kind === FrameKind.ITEM) this.items++;
    if (id > this.last) this.last = id;
    return id;
  }
}
