// A SchemaCodec over the functions a back end built from a plan: anything they do not take is MISS, and the generic path decides.
import { MISS, type SchemaCodec } from "../codecs/codec.js";
import type { Output } from "../codecs/output.js";
import { Input } from "./msgpack-read.js";

/** A plan's writer and reader, as a back end builds them: both throw MISS for what they do not take. */
export interface PlanFunctions {
  write(value: unknown, out: Output): void;
  read(input: Input): unknown;
}

const EMPTY = new Uint8Array(0);

/**
 * A SchemaCodec over a back end's functions (no `write` for a codec that only reads). Anything they throw (MISS,
 * or a getter or format check that throws) means "not taken": the generic path then runs, and reports exactly as
 * it would without a compiled codec.
 *
 * @example
 * const codec = schemaCodec("code", generated.read, generated.write);
 * codec.read!(payload, 0, payload.length); // the value, or MISS
 */
export function schemaCodec(backend: SchemaCodec["backend"], read: PlanFunctions["read"], write: PlanFunctions["write"] | undefined): SchemaCodec {
  const input = new Input();
  return {
    backend,
    write:
      write === undefined
        ? undefined
        : (value, out) => {
            try {
              write(value, out);
              return true;
            } catch {
              return false;
            }
          },
    read(bytes, start, end) {
      input.bytes = bytes;
      input.pos = start;
      input.end = end;
      try {
        const value = read(input);
        return input.pos === end ? value : MISS;
      } catch {
        return MISS;
      } finally {
        input.bytes = EMPTY;
      }
    },
  };
}
