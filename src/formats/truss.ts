// The truss framing: Baseten truss_chains' wire format, length-prefixed JSON frames with no marker, no keep-alive and no end frame.
import { jsonWritingNegativeZeroAs } from "../codecs/json.js";
import type { Format } from "../format.js";
import { FrameKind } from "../protocol.js";
import { LengthPrefixedDecoder, LengthPrefixedEncoder } from "./length-prefixed.js";

/** truss_chains streams carry no media type of their own. */
export const TRUSS_MEDIA_TYPE = "application/octet-stream";

const KINDS = [FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.END, FrameKind.ERROR];

/**
 * truss_chains' format (Python, pydantic): JSON payloads in length-prefixed frames (kinds 2–5), no opening
 * marker and no keep-alive frames. A truss writer never sends the end frame, so a clean end of input at a frame
 * boundary counts as the end. This library's writer does send it (and error frames), which truss readers accept.
 *
 * @example
 * import { streamTypes, truss } from "streamtypes";
 * const FROM_PYTHON = streamTypes(Item, Header, Footer, { format: truss() });
 */
export function truss(): Format {
  // -0 as -0.0: Python's json reads "-0" as the integer 0, and truss_chains readers are Python.
  const codec = jsonWritingNegativeZeroAs("-0.0");
  return {
    name: "truss",
    contentType: TRUSS_MEDIA_TYPE,
    accept: TRUSS_MEDIA_TYPE,
    codec,
    keepAlive: false,
    resumable: false,
    decoder: ({ maxFrameBytes }) => new LengthPrefixedDecoder({ maxFrameBytes, kinds: KINDS, codec, endsAtEof: true }),
    encoder: ({ maxPayloadBytes }) => new LengthPrefixedEncoder(codec, maxPayloadBytes),
  };
}
