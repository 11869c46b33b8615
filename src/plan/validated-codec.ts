// A compiled codec followed by the schema's own validation: for Standard Schemas, whose libraries refine, transform and default beyond their JSON Schema.
import { MISS, type SchemaCodec } from "../codecs/codec.js";
import { INVALID, type Validator } from "../schema/validator.js";

/**
 * `codec` with `validator` run on every value it takes: a writer's value before it is written (false if the
 * validator refuses or throws, and the generic path then reports), a reader's value once decoded (delivered as the validator
 * returns it, transforms and defaults applied; MISS if it refuses or throws). The results are the generic path's:
 * it runs the same validator on the same value.
 *
 * @example
 * const codec = validatedCodec(compiled, standardValidator(z.object({ n: z.string().transform(Number) })));
 * codec.read!(payload, 0, payload.length); // { n: 1 } for the bytes of { n: "1" }
 */
export function validatedCodec(codec: SchemaCodec, validator: Validator): SchemaCodec {
  const write = codec.write;
  const read = codec.read;
  return {
    backend: codec.backend,
    write:
      write === undefined
        ? undefined
        : (value, out) => {
            // Validated first, then written, as the generic path does (a library that changed the value in place
            // would have the changed value written on both paths).
            try {
              if (validator.parse(value) === INVALID) return false;
            } catch {
              return false;
            }
            return write(value, out);
          },
    read:
      read === undefined
        ? undefined
        : (bytes, start, end) => {
            const value = read(bytes, start, end);
            if (value === MISS) return MISS;
            try {
              const parsed = validator.parse(value);
              return parsed === INVALID ? MISS : parsed;
            } catch {
              return MISS;
            }
          },
  };
}
