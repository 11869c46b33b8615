// How `streamtypes inspect` judges one frame: the reader's order rules, and validation by the definition's own reader.
import { StreamError, describeThrown } from "../errors.js";
import type { Format, Frame } from "../format.js";
import { FrameKind } from "../protocol.js";
import { Wire } from "../reader/parts.js";

/** A stream definition as `--schema` loads it: what `streamTypes(...)` returns. Only its public API is used. */
export interface DefinitionLike {
  readonly header: unknown;
  readonly footer: unknown;
  readonly format: Format;
  reader(source: Uint8Array, options?: { maxFrameBytes?: number }): unknown;
}

const utf8 = new TextEncoder();

/**
 * Where the stream stands after a frame of `kind` at `wire`, and the reader's ORDER error for it, if any (the
 * stage then stays). Without a definition, header and footer are allowed.
 *
 * @example
 * orderAfter(Wire.Items, FrameKind.HEADER, undefined, 3).error?.code; // "ORDER"
 */
export function orderAfter(wire: Wire, kind: number, definition: DefinitionLike | undefined, items: number): { wire: Wire; error?: StreamError } {
  switch (kind) {
    case FrameKind.HEADER:
      if (definition !== undefined && definition.header === undefined) {
        return { wire, error: new StreamError("ORDER", "The stream has a header frame, but these stream types declare no header: add the header schema to streamTypes(Item, Header).") };
      }
      if (wire !== Wire.Start) return { wire, error: new StreamError("ORDER", `A header frame after ${items} items: the header may only be the first frame.`) };
      return { wire: Wire.Header };
    case FrameKind.ITEM:
      if (wire > Wire.Items) return { wire, error: new StreamError("ORDER", "An item frame follows the footer; only the end frame may follow it.") };
      return { wire: Wire.Items };
    case FrameKind.FOOTER:
      if (definition !== undefined && definition.footer === undefined) {
        return { wire, error: new StreamError("ORDER", "The stream has a footer frame, but these stream types declare no footer: add the footer schema to streamTypes(Item, Header, Footer).") };
      }
      if (wire > Wire.Items) return { wire, error: new StreamError("ORDER", "A footer frame follows the footer; only the end frame may follow it.") };
      return { wire: Wire.Footer };
    default:
      return { wire };
  }
}

/**
 * Validates one value with the definition's own reader, so that the checks are exactly the reader's: the frame
 * is re-framed alone (its payload bytes unchanged where the format allows) into a one-part stream and read.
 * Resolves with the reader's error, or undefined when the value passes.
 *
 * @example
 * const invalid = await validateAlone(STREAM, frame, FrameKind.ITEM, "item", 7, value, 1 << 24);
 */
export async function validateAlone(
  def: DefinitionLike,
  frame: Frame,
  kind: number,
  part: "header" | "item" | "footer",
  index: number | undefined,
  value: unknown,
  maxFrameBytes: number,
): Promise<StreamError | undefined> {
  const format = def.format;
  let payload: Uint8Array;
  const f = frame as { bytes?: Uint8Array; start?: number; end?: number; text?: string };
  if (f.bytes !== undefined && f.start !== undefined && f.end !== undefined) payload = f.bytes.subarray(f.start, f.end);
  else if (typeof f.text === "string" && !/[\r\n]/.test(f.text)) payload = utf8.encode(f.text);
  else payload = format.codec.encode(value);
  const encoder = format.encoder({ maxPayloadBytes: Math.max(maxFrameBytes, payload.length) });
  const first = encoder.frame(kind, payload);
  const end = encoder.frame(FrameKind.END, new Uint8Array(0));
  const bytes = new Uint8Array(first.length + end.length);
  bytes.set(first, 0);
  bytes.set(end, first.length);
  const reader = def.reader(bytes, { maxFrameBytes: Math.max(maxFrameBytes, payload.length) }) as {
    readHeader?: () => Promise<unknown>;
    readItems: () => AsyncIterable<unknown>;
    readFooter?: () => Promise<unknown>;
    cancel: () => void;
  };
  try {
    if (part === "header") await reader.readHeader!();
    else {
      if (def.header !== undefined) await reader.readHeader!().catch(() => undefined);
      for await (const _ of reader.readItems()) void _;
      if (part === "footer") await reader.readFooter!();
    }
    return undefined;
  } catch (err) {
    const e = asStreamError(err);
    return e.code === "VALIDATION" ? e : new StreamError(e.code, `The ${part}${index === undefined ? "" : ` ${index}`} was rejected: ${e.message}`);
  } finally {
    try {
      reader.cancel();
    } catch {
      // already finished
    }
  }
}

/** Anything thrown, as a StreamError (FORMAT for what is not one). */
export function asStreamError(err: unknown): StreamError {
  return err instanceof StreamError ? err : new StreamError("FORMAT", `Unexpected failure: ${describeThrown(err)}`, { cause: err });
}
