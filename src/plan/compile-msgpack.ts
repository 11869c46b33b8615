// A MessagePack SchemaCodec from a plan: generated code where the platform allows it, else the closure back end.
import { MISS, type SchemaCodec } from "../codecs/codec.js";
import type { Output } from "../codecs/output.js";
import { emitMsgpack } from "./emit-msgpack.js";
import { Input, readArrayHeader, readBoolean, readGeneric, readMapHeader, readNull, readNumber, readRaw, readString } from "./msgpack-read.js";
import { writeArrayHeader, writeByte, writeMapHeader, writeNumber, writeRaw, writeString } from "./msgpack-write.js";
import type { Plan } from "./plan.js";

/** Writes a value the plan leaves open (Unknown, Any, a leaf) through the generic codec, nested `depth` levels deep; MISS when it refuses it. */
export type GenericWrite = (out: Output, value: unknown, depth: number) => void;

/** What generated code and closures call: the byte rules of MessagePack, in one place. */
export interface MsgpackHelpers {
  readonly MISS: typeof MISS;
  readonly writeNumber: typeof writeNumber;
  readonly writeString: typeof writeString;
  readonly writeRaw: typeof writeRaw;
  readonly writeByte: typeof writeByte;
  readonly writeArrayHeader: typeof writeArrayHeader;
  readonly writeMapHeader: typeof writeMapHeader;
  readonly writeGeneric: GenericWrite;
  readonly readNumber: typeof readNumber;
  readonly readString: typeof readString;
  readonly readRaw: typeof readRaw;
  readonly readArrayHeader: typeof readArrayHeader;
  readonly readMapHeader: typeof readMapHeader;
  readonly readBoolean: typeof readBoolean;
  readonly readNull: typeof readNull;
  readonly readGeneric: typeof readGeneric;
}

/** A plan's writer and reader, as a back end builds them: both throw MISS for what they do not take. */
export interface PlanFunctions {
  write(value: unknown, out: Output): void;
  read(input: Input): unknown;
}

/** The helpers, with the generic writer of the codec at hand (`undefined`: a codec that only reads). */
export function msgpackHelpers(writeGeneric: GenericWrite | undefined): MsgpackHelpers {
  const refuse: GenericWrite = () => {
    throw MISS;
  };
  return {
    MISS,
    writeNumber,
    writeString,
    writeRaw,
    writeByte,
    writeArrayHeader,
    writeMapHeader,
    writeGeneric: writeGeneric ?? refuse,
    readNumber,
    readString,
    readRaw,
    readArrayHeader,
    readMapHeader,
    readBoolean,
    readNull,
    readGeneric,
  };
}

/**
 * The plan's functions as generated code (TypeBox's TypeCompiler does the same for checks), or undefined where
 * code generation is forbidden (a Content-Security-Policy without 'unsafe-eval': EvalError).
 *
 * @example
 * generatedFunctions(plan, msgpackHelpers(undefined))?.read(input);
 */
export function generatedFunctions(plan: Plan, helpers: MsgpackHelpers): PlanFunctions | undefined {
  const { source, constants } = emitMsgpack(plan);
  try {
    return new Function("h", "c", source)(helpers, constants) as PlanFunctions;
  } catch (err) {
    if (err instanceof EvalError) return undefined;
    throw err;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * A SchemaCodec over a back end's functions. Anything they throw (MISS, or a getter or format check that throws)
 * means "not taken": the generic path then runs, and reports exactly as it would without a compiled codec.
 *
 * @example
 * const codec = schemaCodec(generatedFunctions(plan, helpers)!, "code");
 * codec.read!(payload, 0, payload.length); // the value, or MISS
 */
export function schemaCodec(functions: PlanFunctions, backend: SchemaCodec["backend"], writes: boolean): SchemaCodec {
  const input = new Input();
  return {
    backend,
    write: writes
      ? (value, out) => {
          try {
            functions.write(value, out);
            return true;
          } catch {
            return false;
          }
        }
      : undefined,
    read(bytes, start, end) {
      input.bytes = bytes;
      input.pos = start;
      input.end = end;
      try {
        const value = functions.read(input);
        return input.pos === end ? value : MISS;
      } catch {
        return MISS;
      } finally {
        input.bytes = EMPTY;
      }
    },
  };
}
