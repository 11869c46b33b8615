// The opening marker: the first frame of a default-format stream, naming the format, its version and the payload codec.
import { FrameKind, FRAME_HEADER_BYTES, writeFrameHeader } from "./frame.js";

/** "STYP": the marker payload's first four bytes. */
const MAGIC = [0x53, 0x54, 0x59, 0x50] as const;

/** The protocol version this library writes and reads. */
export const PROTOCOL_VERSION = 1;

/** Payload length of the opening frame: magic (4), version (1), codec id (1). */
export const MARKER_PAYLOAD_BYTES = 6;

/** Codec ids on the wire. */
export const CODEC_IDS = { msgpack: 1, json: 2 } as const;

/**
 * The whole opening frame for a codec: `01 00 00 00 06 53 54 59 50 01 <codec id>`.
 *
 * @example
 * markerFrame(CODEC_IDS.msgpack); // 11 bytes
 */
export function markerFrame(codecId: number): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + MARKER_PAYLOAD_BYTES);
  writeFrameHeader(frame, 0, FrameKind.OPEN, MARKER_PAYLOAD_BYTES);
  frame.set(MAGIC, FRAME_HEADER_BYTES);
  frame[FRAME_HEADER_BYTES + 4] = PROTOCOL_VERSION;
  frame[FRAME_HEADER_BYTES + 5] = codecId;
  return frame;
}

/** What an opening frame's payload says, or why it is not one. */
export type MarkerReading =
  | { ok: true; version: number; codecId: number }
  | { ok: false; problem: string };

/** Reads the payload of an opening frame. */
export function readMarker(payload: Uint8Array): MarkerReading {
  if (payload.length !== MARKER_PAYLOAD_BYTES || MAGIC.some((b, i) => payload[i] !== b)) {
    return { ok: false, problem: "the opening frame does not carry the streamtypes magic bytes \"STYP\"" };
  }
  return { ok: true, version: payload[4]!, codecId: payload[5]! };
}

/** Codec names by wire id. */
export const CODEC_NAMES: Readonly<Record<number, string>> = { [CODEC_IDS.msgpack]: "msgpack", [CODEC_IDS.json]: "json" };

/** The codec name for a wire id, for messages. */
export function codecNameOf(id: number): string {
  return CODEC_NAMES[id] ?? `unknown codec id ${id}`;
}
