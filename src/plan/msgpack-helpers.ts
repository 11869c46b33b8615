// The MessagePack helpers that compiled back ends call, gathered in one object for generated code and closures alike.
import { MISS } from "../codecs/codec.js";
import type { Output } from "../codecs/output.js";
import { READ_HELPERS, type readArrayHeader, type readBoolean, type readGeneric, type readMapHeader, type readNull, type readNumber, type readRaw, type readString } from "./msgpack-read.js";
import { writeArrayHeader, writeByte, writeMapHeader, writeNumber, writeRaw, writeString } from "./msgpack-write.js";

/** Writes a value the plan leaves open (Unknown, Any, a leaf) through the generic codec, nested `depth` levels deep; MISS when it refuses it. */
export type GenericWrite = (out: Output, value: unknown, depth: number) => void;

/** What generated code and closures call to read: the byte rules of MessagePack, in one place. */
export interface MsgpackReadHelpers {
  readonly MISS: typeof MISS;
  readonly readNumber: typeof readNumber;
  readonly readString: typeof readString;
  readonly readRaw: typeof readRaw;
  readonly readArrayHeader: typeof readArrayHeader;
  readonly readMapHeader: typeof readMapHeader;
  readonly readBoolean: typeof readBoolean;
  readonly readNull: typeof readNull;
  readonly readGeneric: typeof readGeneric;
}

/** What generated code and closures call to write. */
export interface MsgpackWriteHelpers {
  readonly MISS: typeof MISS;
  readonly writeNumber: typeof writeNumber;
  readonly writeString: typeof writeString;
  readonly writeRaw: typeof writeRaw;
  readonly writeByte: typeof writeByte;
  readonly writeArrayHeader: typeof writeArrayHeader;
  readonly writeMapHeader: typeof writeMapHeader;
  readonly writeGeneric: GenericWrite;
}

export type MsgpackHelpers = MsgpackReadHelpers & MsgpackWriteHelpers;

/** All helpers, with the codec's generic writer for the values a plan leaves open. */
export function msgpackHelpers(writeGeneric: GenericWrite): MsgpackHelpers {
  return { ...READ_HELPERS, MISS, writeNumber, writeString, writeRaw, writeByte, writeArrayHeader, writeMapHeader, writeGeneric };
}

