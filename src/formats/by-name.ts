// The legacy string options ({ codec, framing, compat }) mapped onto format values; the main entry only, so browsers never bundle every format.
import { json } from "../codecs/json.js";
import { msgpack } from "../codecs/msgpack.js";
import { StreamError } from "../errors.js";
import type { Format } from "../format.js";
import { binary } from "./binary.js";
import { ndjson } from "./ndjson.js";
import { sse } from "./sse.js";
import { truss } from "./truss.js";

/** The string options of earlier versions, still accepted by `streamTypes()` from "streamtypes". */
export interface FormatNames {
  /** Payload codec of the binary framing: "msgpack" (default) or "json". Prefer `format: binary(json())`. */
  codec?: "msgpack" | "json" | undefined;
  /** "binary" (default), "sse" or "ndjson". Prefer `format: sse()` or `format: ndjson()`. */
  framing?: "binary" | "sse" | "ndjson" | undefined;
  /** "truss": Baseten truss_chains' wire format. Prefer `format: truss()`. */
  compat?: "truss" | undefined;
}

/**
 * The format the string options name; `OPTIONS` for a combination that does not exist.
 *
 * @example
 * formatNamed({ framing: "sse" }); // sse()
 */
export function formatNamed(names: FormatNames): Format {
  const { codec, framing = "binary", compat } = names;
  if (compat !== undefined && compat !== "truss") {
    throw new StreamError("OPTIONS", `Unknown compat mode ${JSON.stringify(compat)}; the only one is "truss" (format: truss()).`);
  }
  if (codec !== undefined && codec !== "msgpack" && codec !== "json") {
    throw new StreamError("OPTIONS", `Unknown codec ${JSON.stringify(codec)}; use "msgpack" or "json".`);
  }
  if (framing !== "binary" && framing !== "sse" && framing !== "ndjson") {
    throw new StreamError("OPTIONS", `Unknown framing ${JSON.stringify(framing)}; use "binary", "sse" or "ndjson".`);
  }
  if (compat === "truss") {
    if (framing !== "binary") throw new StreamError("OPTIONS", `compat: "truss" is a binary framing; remove framing: "${framing}".`);
    if (codec === "msgpack") throw new StreamError("OPTIONS", `compat: "truss" streams carry JSON payloads; remove codec: "msgpack".`);
    return truss();
  }
  if (framing !== "binary") {
    if (codec === "msgpack") throw new StreamError("OPTIONS", `The ${framing} framing carries JSON; remove codec: "msgpack".`);
    return framing === "sse" ? sse() : ndjson();
  }
  return binary(codec === "json" ? json() : msgpack());
}
