// The binary framing: an opening marker naming the format, version and codec, then length-prefixed frames of any codec.
import type { Codec } from "../codecs/codec.js";
import { StreamError, previewBytes } from "../errors.js";
import type { Format } from "../format.js";
import { FRAME_HEADER_BYTES, FrameKind, PROTOCOL_VERSION } from "../protocol.js";
import { LengthPrefixedDecoder, LengthPrefixedEncoder, writeFrameHeader } from "./length-prefixed.js";
import { resumeIndex } from "./positions.js";

/** The binary framing's media type; the codec travels as a parameter: `application/vnd.streamtypes; codec=msgpack`. */
export const BINARY_MEDIA_TYPE = "application/vnd.streamtypes";

/** "STYP": the marker payload's first four bytes. */
const MAGIC = [0x53, 0x54, 0x59, 0x50] as const;

/** Payload length of the opening frame: magic (4), version (1), codec id (1). */
export const MARKER_PAYLOAD_BYTES = 6;

/** Codec names by wire id, for messages about a stream written with another codec. */
const CODEC_NAMES: Readonly<Record<number, string>> = { 1: "msgpack", 2: "json" };

const KINDS = [FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.END, FrameKind.ERROR, FrameKind.KEEPALIVE, FrameKind.RESUME];

/**
 * The binary framing with `codec` (MessagePack or JSON): every stream opens with the marker frame
 * `01 00 00 00 06 "STYP" <version> <codec id>`, then one length-prefixed frame per part, keep-alives
 * allowed, and the end frame. The default format of `streamTypes()`.
 *
 * @example
 * import { streamTypes, binary, json } from "streamtypes";
 * const STREAM = streamTypes(Item, Header, Footer, { format: binary(json()) });
 */
export function binary(codec: Codec): Format {
  return binaryFormat(codec, ({ maxPayloadBytes, resumeAfter }) => new LengthPrefixedEncoder(codec, maxPayloadBytes, markerFrame(codec.id), resumeIndex(resumeAfter)));
}

/**
 * The binary framing for a codec that only reads (`msgpackReadOnly()`): the default format of the browser entry's
 * `streamTypes()`, which writes nothing, so that a page carries no frame encoder. It reads exactly as
 * `binary(codec)` does; its `encoder()` is `OPTIONS`.
 *
 * @example
 * const format = binaryReadOnly(msgpackReadOnly());
 * format.decoder({ maxFrameBytes: 1 << 20 }); // reads binary MessagePack streams
 */
export function binaryReadOnly(codec: Codec): Format {
  return binaryFormat(codec, () => {
    throw new StreamError(
      "OPTIONS",
      `This format reads only (binary with the read-only ${codec.name} codec, the default of "streamtypes/browser"): write with streamTypes() from "streamtypes", whose default is binary(msgpack()).`,
    );
  });
}

/** The binary framing with `codec`, writing through `encoder`. */
function binaryFormat(codec: Codec, encoder: Format["encoder"]): Format {
  return {
    name: "binary",
    contentType: `${BINARY_MEDIA_TYPE}; codec=${codec.name}`,
    accept: BINARY_MEDIA_TYPE,
    codec,
    keepAlive: true,
    resumable: true,
    decoder: ({ maxFrameBytes }) =>
      new LengthPrefixedDecoder({ maxFrameBytes, kinds: KINDS, codec, endsAtEof: false, opening: openingCheck(codec), resumable: true }),
    encoder,
  };
}

/**
 * The whole opening frame for a codec id: `01 00 00 00 06 53 54 59 50 01 <codec id>`.
 *
 * @example
 * markerFrame(1); // 11 bytes, MessagePack
 */
export function markerFrame(codecId: number): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + MARKER_PAYLOAD_BYTES);
  writeFrameHeader(frame, 0, FrameKind.OPEN, MARKER_PAYLOAD_BYTES);
  frame.set(MAGIC, FRAME_HEADER_BYTES);
  frame[FRAME_HEADER_BYTES + 4] = PROTOCOL_VERSION;
  frame[FRAME_HEADER_BYTES + 5] = codecId;
  return frame;
}

/** The checks on a stream's first frame: the marker, this protocol version, and the codec this reader expects. */
function openingCheck(codec: Codec) {
  return {
    checkHeader(kind: number, length: number, preview: Uint8Array): void {
      if (kind === FrameKind.OPEN && length === MARKER_PAYLOAD_BYTES) return;
      const looksTruss = kind >= FrameKind.HEADER && kind <= FrameKind.END;
      throw new StreamError(
        "FORMAT",
        `The bytes do not start with the streamtypes marker, so this is not a stream of the binary format (not a streamtypes stream, or another format of it). ` +
          (looksTruss ? `They look like truss_chains frames (no marker, first frame kind ${kind}): read them with { format: truss() } (or the older compat: "truss"). ` : "") +
          `First bytes: ${previewBytes(preview)}.`,
      );
    },
    checkPayload(payload: Uint8Array): void {
      if (MAGIC.some((b, i) => payload[i] !== b)) {
        throw new StreamError(
          "FORMAT",
          `Not a streamtypes stream: the opening frame does not carry the streamtypes magic bytes "STYP". First bytes: ${previewBytes(payload)}.`,
        );
      }
      const version = payload[4]!;
      if (version !== PROTOCOL_VERSION) {
        throw new StreamError(
          "FORMAT",
          `The stream uses protocol version ${version}; this reader understands version ${PROTOCOL_VERSION}. Upgrade streamtypes on the older side.`,
        );
      }
      const codecId = payload[5]!;
      if (codecId !== codec.id) {
        const theirs = CODEC_NAMES[codecId];
        throw new StreamError(
          "FORMAT",
          `The stream's payloads are ${theirs ?? `of unknown codec id ${codecId}`}, but this reader expects ${codec.name}. ` +
            (theirs !== undefined ? `Give both ends the same format (binary(${theirs}())).` : "A newer streamtypes may have written it."),
        );
      }
    },
  };
}
