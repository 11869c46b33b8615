// The protocol's shared vocabulary: frame kinds and their names, the frame header size, the version and default limits.

/**
 * Frame kinds. 2 to 5 are the values Baseten's truss_chains streaming uses; 1 is truss's never-written
 * NOT_SET, which the binary framing reuses for its opening marker. Text framings name kinds instead.
 */
export const FrameKind = {
  OPEN: 1,
  HEADER: 2,
  ITEM: 3,
  FOOTER: 4,
  END: 5,
  ERROR: 6,
  KEEPALIVE: 7,
  /** Sent first on a resumed connection (binary, NDJSON): the id of the last part the reader has; items continue after it. */
  RESUME: 8,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Bytes before every binary payload: kind (uint8) and payload length (uint32, big-endian). */
export const FRAME_HEADER_BYTES = 5;

/** The protocol version the binary framing's opening marker carries. */
export const PROTOCOL_VERSION = 1;

/** 16 MiB: room for large items, small enough that one hostile length cannot exhaust memory. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The largest payload length the 4-byte length field can carry. */
export const MAX_PAYLOAD_LENGTH = 0xffffffff;

const KIND_NAMES: Record<number, string> = {
  1: "open",
  2: "header",
  3: "item",
  4: "footer",
  5: "end",
  6: "error",
  7: "keep-alive",
  8: "resume",
};

/** A human name for a frame kind, for messages and for the text framings' event and line names. */
export function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? `unknown (${kind})`;
}

// Pure: a bundle whose formats name no kinds (binary, truss) leaves the table out.
const KINDS_BY_NAME: Readonly<Record<string, number>> = /* @__PURE__ */ (() => Object.fromEntries(Object.entries(KIND_NAMES).map(([kind, name]) => [name, Number(kind)])))();

/** The frame kind with this name ("item", "keep-alive"), if it is one of `allowed`; text framings name their kinds. */
export function kindNamed(name: unknown, allowed: readonly number[]): number | undefined {
  const kind = typeof name === "string" && Object.hasOwn(KINDS_BY_NAME, name) ? KINDS_BY_NAME[name] : undefined;
  return kind !== undefined && allowed.includes(kind) ? kind : undefined;
}

/** "an item frame", "a header frame" (or "An item frame" to start a sentence): a frame kind with its article, for messages. */
export function aFrame(kind: number, capital = false): string {
  const name = kindName(kind);
  return `${/^[aeiou]/.test(name) ? (capital ? "An" : "an") : capital ? "A" : "a"} ${name} frame`;
}
