// The running counts of `streamtypes inspect`: frames per kind, payload sizes and the values that failed validation.

/** Values that failed validation listed in the summary, at most. */
const MAX_INVALID_LISTED = 100;

/**
 * Counts what an inspection has seen, for its summary line.
 *
 * @example
 * const tally = new Tally();
 * tally.count("item", 42);
 * tally.frames; // 1
 */
export class Tally {
  frames = 0;
  readonly kinds: Record<string, number> = {};
  private payloadMin = Infinity;
  private payloadMax = 0;
  private payloadTotal = 0;
  /** Values that failed validation: part, index and frame index, the first MAX_INVALID_LISTED. */
  readonly invalid: { part: string; index?: number; frame: number }[] = [];
  invalidCount = 0;
  /** The first failure's message. */
  firstInvalid: string | undefined;

  /** One frame of `kind` with a payload of `payload` bytes. */
  count(kind: string, payload: number): void {
    this.frames++;
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
    this.payloadMin = Math.min(this.payloadMin, payload);
    this.payloadMax = Math.max(this.payloadMax, payload);
    this.payloadTotal += payload;
  }

  /** A value that failed validation: the `part` (with its item `index`) in frame `frame`. */
  countInvalid(part: string, index: number | undefined, frame: number, message: string): void {
    this.invalidCount++;
    this.firstInvalid ??= message;
    if (this.invalid.length < MAX_INVALID_LISTED) this.invalid.push({ part, ...(index === undefined ? {} : { index }), frame });
  }

  /** Smallest, largest and total payload, or null before the first frame. */
  get payloadBytes(): { min: number; max: number; total: number } | null {
    return this.frames === 0 || this.payloadMin === Infinity ? null : { min: this.payloadMin, max: this.payloadMax, total: this.payloadTotal };
  }
}
