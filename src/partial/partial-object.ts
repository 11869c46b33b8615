// The object of an object stream as its patches build it: applies each patch in O(patch size + depth), tracks which values are finished, and checks each as it finishes.
import { StreamError } from "../errors.js";
import { childSchema } from "./subschemas.js";
import type { PartChecks } from "./part-checks.js";
import { pathText, type Patch, type Path, type PathKey } from "./patch.js";

/** What is known of one container (object or array) of the object being built. */
interface Container {
  /** Its schema; undefined where it cannot be told (then an enclosing value is checked whole). */
  readonly schema: unknown;
  closed: boolean;
  /** Check it whole when it closes: some of its parts were never checked on their own. */
  whole: boolean;
  /** Its parts came in the patch that made it: they are open until it closes, and not tracked one by one. */
  readonly untracked: boolean;
  /** Its open parts (tracked ones), with their schemas. */
  readonly open: Map<PathKey, unknown>;
  /** Of an untracked container: the parts finished on their own since. */
  finished?: Set<PathKey>;
}

const ROOT = "root";

/**
 * One object built from patches. `apply()` changes it in place and returns the paths it finished; `value` is the
 * object so far (the same reference throughout: copy it to keep a snapshot).
 *
 * @example
 * const o = new PartialObject();
 * o.apply({ op: "set", path: [], value: {} });
 * o.apply({ op: "set", path: ["title"], value: "Pan" });
 * o.apply({ op: "append", path: ["title"], text: "cakes", done: true }); // [["title"]]
 * o.value; // { title: "Pancakes" }
 */
export class PartialObject {
  private readonly holder: Record<string, unknown> = {};
  private readonly holderInfo: Container;
  private readonly infos = new WeakMap<object, Container>();
  /** The index of the patch being applied, for messages. */
  private index: number | undefined;
  private finished: Path[] = [];

  constructor(private readonly checks?: PartChecks) {
    this.holderInfo = { schema: undefined, closed: false, whole: false, untracked: false, open: new Map() };
  }

  /** The object so far (undefined before the first patch). */
  get value(): unknown {
    return this.holder[ROOT];
  }

  /** True once the whole object is finished. */
  get closed(): boolean {
    return ROOT in this.holder && !this.holderInfo.open.has(ROOT);
  }

  /**
   * Applies one patch (the `index`-th item, for messages) and returns the paths of the values it finished, inner
   * ones first. `FORMAT` for a patch that does not fit the object, `ORDER` for one that changes a finished value,
   * `VALIDATION` for a finished value that does not match its schema.
   */
  apply(patch: Patch, index?: number): Path[] {
    this.index = index;
    this.finished = [];
    const path = patch.path;
    switch (patch.op) {
      case "set": {
        const [parent, info] = this.parentOf(path);
        const key = path.length === 0 ? ROOT : path[path.length - 1]!;
        if (Array.isArray(parent)) {
          if (typeof key !== "number" || key >= parent.length) throw this.misfit(path, "set on an array replaces an element that exists (push adds one)");
        } else if (typeof key !== "string") throw this.misfit(path, "an object's keys are strings");
        if (Object.hasOwn(parent, key as PropertyKey)) this.mustBeOpen(info, key, path);
        this.put(parent, info, key, patch.value, path, patch.done === true);
        break;
      }
      case "push": {
        const [array, info] = this.containerAt(path);
        if (!Array.isArray(array)) throw this.misfit(path, "push needs an array there");
        this.put(array, info, array.length, patch.value, [...path, array.length], patch.done === true);
        break;
      }
      case "append": {
        const [parent, info] = this.parentOf(path);
        const key = path.length === 0 ? ROOT : path[path.length - 1]!;
        const current = (parent as Record<PathKey, unknown>)[key];
        if (typeof current !== "string" || !Object.hasOwn(parent, key)) throw this.misfit(path, "append needs a string there");
        this.mustBeOpen(info, key, path);
        (parent as Record<PathKey, unknown>)[key] = current + patch.text;
        if (patch.done === true) this.closeChild(parent, info, key, path);
        break;
      }
      case "close": {
        const [parent, info] = this.parentOf(path);
        const key = path.length === 0 ? ROOT : path[path.length - 1]!;
        if (!Object.hasOwn(parent, key)) throw this.misfit(path, "close needs a value there");
        this.mustBeOpen(info, key, path);
        this.closeChild(parent, info, key, path);
        break;
      }
    }
    return this.finished;
  }

  /**
   * True when the value at `path` is finished (it, or a value around it, was closed). False for a path with no
   * value yet. O(depth).
   */
  isClosed(path: Path): boolean {
    let value: unknown = this.holder;
    let info: Container | undefined = this.holderInfo;
    const keys: PathKey[] = [ROOT, ...path];
    for (const key of keys) {
      if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return false;
      if (info !== undefined && isFinished(info, key)) return true;
      value = (value as Record<PathKey, unknown>)[key];
      info = typeof value === "object" && value !== null ? this.infos.get(value) : undefined;
    }
    return info?.closed === true;
  }

  /** The container holding the value at `path` (the holder for the root), open. */
  private parentOf(path: Path): [object, Container] {
    if (path.length === 0) return [this.holder, this.holderInfo];
    return this.containerAt(path.slice(0, -1));
  }

  /** The open container at `path`: every value on the way must be open. */
  private containerAt(path: Path): [object, Container] {
    let value: unknown = this.holder;
    let info = this.holderInfo;
    let key: PathKey = ROOT;
    for (let depth = -1; depth < path.length; depth++) {
      if (depth >= 0) key = path[depth]!;
      if (!Object.hasOwn(value as object, key)) throw this.misfit(path.slice(0, depth + 1), "there is no value there");
      if (isFinished(info, key)) this.mustBeOpen(info, key, path.slice(0, depth + 1));
      value = (value as Record<PathKey, unknown>)[key];
      if (typeof value !== "object" || value === null) throw this.misfit(path.slice(0, depth + 1), "it is not an object or array");
      info = this.infoOf(value, info, key);
    }
    return [value as object, info];
  }

  /** What is known of a container; one inside a value that came whole in an open patch is open and untracked. */
  private infoOf(value: object, parent: Container, key: PathKey): Container {
    let info = this.infos.get(value);
    if (info === undefined) {
      info = { schema: this.schemaOf(parent, key), closed: false, whole: true, untracked: true, open: new Map() };
      this.infos.set(value, info);
    }
    return info;
  }

  private mustBeOpen(info: Container, key: PathKey, path: Path): void {
    if (isFinished(info, key)) {
      throw new StreamError("ORDER", `The patch${this.at()} changes ${pathText(path)}, which is finished: a value cannot change once closed.`, { part: "item", index: this.index });
    }
  }

  private put(parent: object, info: Container, key: PathKey, value: unknown, path: Path, done: boolean): void {
    const schema = this.schemaOf(info, key);
    if (schema === undefined && info.schema !== undefined) info.whole = true;
    if (key === "__proto__") Object.defineProperty(parent, key, { value, writable: true, enumerable: true, configurable: true });
    else (parent as Record<PathKey, unknown>)[key] = value;
    if (done) {
      this.finish(info, key);
      if (schema !== undefined) this.checks?.check(schema, value, path, this.index);
      this.finished.push(path);
      return;
    }
    info.open.set(key, schema);
    if (typeof value === "object" && value !== null) {
      const filled = Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0;
      this.infos.set(value, { schema, closed: false, whole: filled, untracked: filled, open: new Map() });
    }
  }

  /** Closes an open value and every open value inside it, inner ones first, checking each. */
  private closeChild(parent: object, info: Container, key: PathKey, path: Path): void {
    const value = (parent as Record<PathKey, unknown>)[key];
    const schema = info.open.has(key) ? info.open.get(key) : this.schemaOf(info, key);
    this.finish(info, key);
    const inner = typeof value === "object" && value !== null ? this.infos.get(value) : undefined;
    if (inner !== undefined && !inner.closed) {
      for (const childKey of [...inner.open.keys()]) this.closeChild(value as object, inner, childKey, [...path, childKey]);
      inner.closed = true;
      if (schema !== undefined && this.checks !== undefined) {
        if (inner.whole) this.checks.check(schema, value, path, this.index);
        else this.checks.checkShell(schema, value, path, this.index);
      }
    } else if (schema !== undefined) this.checks?.check(schema, value, path, this.index);
    this.finished.push(path);
  }

  private finish(info: Container, key: PathKey): void {
    info.open.delete(key);
    if (info.untracked) (info.finished ??= new Set()).add(key);
  }

  /** The schema of `key` inside a container; the root's (in the holder) is the object's. */
  private schemaOf(info: Container, key: PathKey): unknown {
    if (info === this.holderInfo) return this.checks?.schema;
    return info.schema === undefined ? undefined : childSchema(info.schema, key);
  }

  private misfit(path: Path, why: string): StreamError {
    return new StreamError("FORMAT", `The patch${this.at()} does not fit the object at ${pathText(path)}: ${why}. The producer's patches are out of step with the object.`, {
      part: "item",
      index: this.index,
    });
  }

  private at(): string {
    return this.index === undefined ? "" : ` (item ${this.index})`;
  }
}


/** Whether the part `key` of a container is finished: the container is, or the part was finished on its own. */
function isFinished(info: Container, key: PathKey): boolean {
  if (info.closed) return true;
  return info.untracked ? info.finished?.has(key) === true : !info.open.has(key);
}
