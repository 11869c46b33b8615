// The validators of the values inside an object stream's object: one per subschema (and per container shell), made once per definition.
import { StreamError, describeThrown, type ValidationIssue } from "../errors.js";
import { INVALID, type Validator } from "../schema/validator.js";
import { escapeText, pathText, type Path } from "./patch.js";
import { shellSchema } from "./subschemas.js";

/**
 * Checks values against subschemas of one object schema, with the definition's validators (compiled TypeBox, a
 * Standard Schema's own check…), each made the first time its subschema is needed and kept for every reader.
 */
export class PartChecks {
  private readonly whole = new Map<unknown, Validator>();
  private readonly shells = new Map<unknown, Validator | null>();

  constructor(
    /** The object's schema. */
    readonly schema: unknown,
    private readonly validatorFor: (schema: unknown) => Validator,
  ) {}

  /** `VALIDATION` naming `path` unless `value` matches `schema`. */
  check(schema: unknown, value: unknown, path: Path, index: number | undefined): void {
    let validator = this.whole.get(schema);
    if (validator === undefined) this.whole.set(schema, (validator = this.validatorFor(schema)));
    run(validator, value, path, index);
  }

  /**
   * Checks a container whose every part was checked already: against its shell where the schema has one (its own
   * size), else whole.
   */
  checkShell(schema: unknown, value: unknown, path: Path, index: number | undefined): void {
    let shell = this.shells.get(schema);
    if (shell === undefined) {
      const s = shellSchema(schema);
      this.shells.set(schema, (shell = s === undefined ? null : this.validatorFor(s)));
    }
    if (shell === null) this.check(schema, value, path, index);
    else run(shell, value, path, index);
  }
}

function run(validator: Validator, value: unknown, path: Path, index: number | undefined): void {
  let result: unknown;
  try {
    result = validator.parse(value);
  } catch (err) {
    throw new StreamError("VALIDATION", `The value at ${pathText(path)}${at(index)} could not be checked against its schema: ${describeThrown(err)}.`, { cause: err, part: "item", index });
  }
  if (result !== INVALID) return;
  const where = pathText(path);
  let issues: ValidationIssue[];
  try {
    // The validator's paths hold keys from the stream: escaped like ours.
    issues = validator.issues(value).map((i) => ({ path: i.path === "/" ? where : (where === "/" ? "" : where) + escapeText(i.path), message: escapeText(i.message) }));
  } catch {
    issues = [];
  }
  const list = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  throw new StreamError("VALIDATION", `The value at ${where}${at(index)} does not match its schema: ${list || "it was rejected by its schema"}.`, {
    part: "item",
    index,
    issues,
  });
}

function at(index: number | undefined): string {
  return index === undefined ? "" : ` (patch item ${index})`;
}
