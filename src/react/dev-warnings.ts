// useStream's development warnings: a stream definition or request function made anew at every render.
import { useRef } from "react";

declare const process: { env: { NODE_ENV?: string } };

/**
 * True in a development build: bundlers replace `process.env.NODE_ENV` (as React's own build needs); without a
 * bundler (no `process`), warnings are on.
 */
const DEV: boolean = (() => {
  try {
    return process.env.NODE_ENV !== "production";
  } catch {
    return true;
  }
})();

/** The parts of a definition that say which stream types it is. */
interface DefinitionLike {
  readonly item: unknown;
  readonly header: unknown;
  readonly footer: unknown;
  readonly contentType: string;
}

/** How many renders in a row a new definition or request function takes before it is called a mistake. */
const RENDERS_IN_A_ROW = 3;

/**
 * Warns once per component (in development) when the definition is a new object at each render, as
 * `streamTypes()` called in the component body makes: the hook reads it only when a stream starts, so this costs
 * no request, but it is a mistake. Likewise for a request function made inline: that one does restart the stream
 * at every render, a fetch storm.
 *
 * @example
 * useIdentityWarnings(types, request);
 */
export function useIdentityWarnings(types: DefinitionLike, request: unknown): void {
  const seen = useRef({ types, request, typeChanges: 0, requestChanges: 0, warnedTypes: false, warnedRequest: false });
  const s = seen.current;
  if (!DEV) return;
  if (s.types !== types) {
    s.typeChanges++;
    const remade = s.types.item === types.item && s.types.header === types.header && s.types.footer === types.footer && s.types.contentType === types.contentType;
    if (!s.warnedTypes && (remade || s.typeChanges >= RENDERS_IN_A_ROW)) {
      s.warnedTypes = true;
      console.warn(
        "useStream: the stream definition is a new object at this render (is streamTypes() called inside the component?). " +
          "The running stream is not restarted for it, but define it once, at module level (or with useMemo).",
      );
    }
    s.types = types;
  } else s.typeChanges = 0;
  if (typeof request === "function" && typeof s.request === "function" && s.request !== request) {
    s.requestChanges++;
    if (!s.warnedRequest && s.requestChanges >= RENDERS_IN_A_ROW) {
      s.warnedRequest = true;
      console.warn(
        `useStream: the request function is a new one at each of ${RENDERS_IN_A_ROW} renders in a row, and each starts a new stream. ` +
          "Make it with useCallback (or outside the component), or pass a URL or Request, which are compared by value.",
      );
    }
  } else s.requestChanges = 0;
  s.request = request;
}
