// usePartialObject(): an object stream read into React state, the growing object and the finished one as distinct types, built on useStream().
import type { ReaderTypes } from "./define.js";
import type { PartialObject } from "./partial/partial-object.js";
import type { Patch, PatchSchemaType, Path } from "./partial/patch.js";
import type { DeepPartial } from "./partial/path-types.js";
import { useStream, type StreamRequest, type StreamStatus, type UseStreamOptions } from "./react.js";
import type { Output, SchemaLike } from "./schema/infer.js";

/** An object stream's definition, from `objectStream()` of "streamtypes" or "streamtypes/browser". */
export type ObjectStreamTypes<S extends SchemaLike> = ReaderTypes<PatchSchemaType, undefined, S> & { partialObject(): PartialObject };

/** What {@link usePartialObject} returns. */
export interface UsePartialObjectResult<T> {
  /** The object so far, every value as sent (each finished one checked); undefined before the first patch. */
  partial: DeepPartial<T> | undefined;
  /** The whole object, validated (the stream's footer): set when the stream is done. */
  object: T | undefined;
  /** Whether the value at `path` is finished: checked, and it will not change. */
  isClosed: (path: Path) => boolean;
  status: StreamStatus;
  /** The error the stream failed with (`VALIDATION` naming the path of a value that does not match). */
  error: unknown;
  /** Stops the stream: cancels the request, status "aborted". */
  abort: (reason?: unknown) => void;
}

/** The object being built, and how many patches it has had; a new one per patch, so that every update renders. */
interface Built {
  readonly object: PartialObject;
  readonly patches: number;
}

/**
 * Reads an object stream into React state: `partial` grows as patches arrive (each batch one render), `object` is
 * the whole validated object once the stream is done, `isClosed(path)` tells a finished value from one still
 * being written. Same requests, options and lifecycle as `useStream`.
 *
 * @example
 * const { partial, object, isClosed, status } = usePartialObject(RECIPE, "/recipe");
 * return <h1 className={isClosed(["title"]) ? "" : "typing"}>{partial?.title}</h1>;
 */
export function usePartialObject<S extends SchemaLike>(types: ObjectStreamTypes<S>, request: StreamRequest, options: UseStreamOptions = {}): UsePartialObjectResult<Output<S>> {
  const { items: built, footer, status, error, abort } = useStream(types, request, {
    ...options,
    reduce: (acc: Built | null, patch: Patch): Built => {
      const object = acc?.object ?? types.partialObject();
      const patches = acc?.patches ?? 0;
      object.apply(patch, patches);
      return { object, patches: patches + 1 };
    },
    initial: null,
  });
  return {
    partial: built?.object.value as DeepPartial<Output<S>> | undefined,
    object: footer as Output<S> | undefined,
    isClosed: (path) => built?.object.isClosed(path) ?? false,
    status,
    error,
    abort,
  };
}
