// useStream's memory of streams read with `resume`: each stream's parts and position, in memory and optionally sessionStorage, so that a remount continues.
import type { StreamSnapshot } from "./snapshot.js";

/** How many streams are remembered in memory; the least recently used is forgotten first. */
const MAX_REMEMBERED = 64;
/** The prefix of sessionStorage keys. */
const STORAGE_PREFIX = "streamtypes:useStream:";

/** What is kept of a stream: its snapshot without the hook's id, and whether its items are an array or reduced. */
interface Remembered {
  readonly snapshot: Omit<StreamSnapshot, "id">;
  readonly reduced: boolean;
}

const remembered = new Map<string, Remembered>();

/**
 * The remembered state of the stream `key`: from memory, or (with `session`) from sessionStorage, where a page
 * load left it. Only a stream remembered in the same mode (array or reduced) counts. An error is remembered in
 * memory only: in sessionStorage, the stream is kept as it was before, streaming, so that a reload tries again.
 *
 * @example
 * const before = recall("GET https://example.com/answer", true, false);
 */
export function recall(key: string, session: boolean, reduced: boolean): Omit<StreamSnapshot, "id"> | undefined {
  let entry = remembered.get(key);
  if (entry === undefined && session) entry = fromStorage(key);
  if (entry === undefined || entry.reduced !== reduced) return undefined;
  remembered.delete(key); // most recently used last
  remembered.set(key, entry);
  return entry.snapshot;
}

/**
 * Keeps a stream's state for a remount; `persist` also writes it to sessionStorage (the hook does when the stream
 * ends or its run stops, not at every frame: a long stream is large).
 */
export function remember(key: string, snapshot: StreamSnapshot, reduced: boolean, persist: boolean): void {
  const { id: _id, ...kept } = snapshot;
  remembered.delete(key);
  remembered.set(key, { snapshot: kept, reduced });
  if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  if (persist) toStorage(key, kept, reduced);
}

/** Forgets a stream (restart() reads it from the start). */
export function forget(key: string): void {
  remembered.delete(key);
  storage()?.removeItem(STORAGE_PREFIX + key);
}

function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === "undefined" ? undefined : sessionStorage;
  } catch {
    return undefined; // a sandboxed frame or a browser setting can forbid it
  }
}

function toStorage(key: string, snapshot: Omit<StreamSnapshot, "id">, reduced: boolean): void {
  const store = storage();
  if (store === undefined) return;
  try {
    // An error (leaving the page fails the request, too) is kept as where to continue from: a reload tries again.
    const kept = snapshot.status === "error" ? { ...snapshot, status: "streaming", error: undefined } : snapshot;
    store.setItem(STORAGE_PREFIX + key, JSON.stringify({ snapshot: kept, reduced }));
  } catch {
    // Full, or values that JSON cannot hold: the stream is remembered in memory only.
  }
}

function fromStorage(key: string): Remembered | undefined {
  try {
    const text = storage()?.getItem(STORAGE_PREFIX + key);
    if (text == null) return undefined;
    const entry = JSON.parse(text) as Remembered;
    return typeof entry === "object" && entry !== null && typeof entry.snapshot === "object" ? entry : undefined;
  } catch {
    return undefined;
  }
}
