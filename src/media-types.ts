// Media types of the three framings, as the HTTP helpers send them.

/** The binary framing; the codec travels as a parameter: `application/vnd.streamtypes; codec=msgpack`. */
export const BINARY_MEDIA_TYPE = "application/vnd.streamtypes";
export const SSE_MEDIA_TYPE = "text/event-stream; charset=utf-8";
export const NDJSON_MEDIA_TYPE = "application/x-ndjson";
/** truss_chains streams carry no type of their own. */
export const TRUSS_MEDIA_TYPE = "application/octet-stream";
