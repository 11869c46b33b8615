// A transform stream from typed parts to a stream's frames, built on the writer and the producer's run.
import { StreamError } from "../errors.js";
import type { PartTransform } from "../reader/decoder-stream.js";
import type { StreamSpec } from "../spec.js";
import { LIBRARY_PRODUCER, producerStream, type ProducerOptions } from "./producer.js";
import { StreamWriterImpl, type WriterOptions } from "./writer.js";

/** Options of an encoder stream: the producer's (keep-alive, stacks, onError) and the writer's. */
export type EncoderStreamOptions = ProducerOptions & WriterOptions;

interface AnyPart {
  part?: unknown;
  value?: unknown;
}

/**
 * Parts in, frames out: each part written to the writable side becomes its frame, closing it adds the end frame.
 * It behaves as a producer does (`toReadableStream`): a part the writer refuses (`VALIDATION`, `ORDER`) or a
 * writable side aborted with an error sends an error frame, which ends the frames, and errors the writable side;
 * cancelling the readable side errors the writable side.
 */
export function encoderStream(spec: StreamSpec, options: EncoderStreamOptions = {}): PartTransform<unknown, Uint8Array> {
  const parts = new TransformStream<unknown, unknown>();
  const writer = new StreamWriterImpl(spec, options);
  const readable = producerStream(
    writer,
    async function* (w, signal) {
      const source = parts.readable.getReader();
      // The frames' consumer left while waiting for a part: the pending read ends at once, not at the next part.
      const onAbort = () => source.cancel(signal.reason).catch(() => {});
      signal.addEventListener("abort", onAbort, { once: true });
      let failure: unknown;
      try {
        for (;;) {
          const { done, value } = await source.read();
          if (done) return;
          yield frameOf(w, value as AnyPart);
        }
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        signal.removeEventListener("abort", onAbort);
        // Stops whoever writes parts: with the error that ended the frames, or because the frames' consumer left.
        source.cancel(failure).catch(() => {});
      }
    },
    options,
    LIBRARY_PRODUCER,
  );
  return { writable: parts.writable, readable };
}

function frameOf(w: StreamWriterImpl, part: AnyPart): Uint8Array {
  switch (part?.part) {
    case "header":
      return w.header(part.value);
    case "item":
      return w.item(part.value);
    case "footer":
      return w.footer(part.value);
    default:
      throw new StreamError("ORDER", `An encoder stream takes { part: "header" | "item" | "footer", value } objects, not ${describe(part)}.`);
  }
}

function describe(part: unknown): string {
  if (part === null || typeof part !== "object") return String(part);
  return `{ part: ${JSON.stringify((part as AnyPart).part)} }`;
}
