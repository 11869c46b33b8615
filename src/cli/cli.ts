#!/usr/bin/env node
// The `streamtypes` command: `streamtypes inspect <file | - | url>` prints a stream's frames, values and a summary.
import { createReadStream, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { StreamError } from "../errors.js";
import { FORMAT_NAMES, formatFromContentType, type FormatName } from "./detect.js";
import { clip, inspect, type DefinitionLike, type Summary } from "./inspect.js";
import { printable } from "../printable.js";

const HELP = `Usage: streamtypes inspect [options] <file | - | http(s)://url>

Prints one JSON line per frame of a streamtypes stream ({"index","kind","offset","payloadBytes","ms","value"}),
then a summary line (counts per kind, bytes, payload sizes, duration, how the stream ended or failed).
Reads a file, standard input (-) or a URL (live: "ms" is the time since the start for each frame).

Options:
  --format <name>          binary | binary-json | truss | sse | ndjson (default: detected from the first bytes)
  --schema <file.js#NAME>  validate with the stream definition (streamTypes(...)) exported as NAME;
                           a .ts file is loaded with tsx, when the project has it
                           (default export when #NAME is left out); every failing value is reported
  --json                   JSON lines (the default)
  --plain                  human-readable lines
  --max-value-bytes <n>    cut a value's JSON text, and any message, after n characters (default 1024)
  --max-frame-bytes <n>    largest payload accepted, in bytes (default 16777216 = 16 MiB)
  --timeout-ms <n>         URLs: give up after n ms without a byte (default 60000; 0 = never)
  --no-progress            no progress line on standard error (shown only when it is a terminal)
  -h, --help               this help

Exit status:
  0  a complete stream (it ended with its end frame; truss: at a frame boundary), every value valid
  1  usage error: bad arguments, a directory or unreadable file, a --schema module that does not load
  2  an invalid stream: FORMAT, ORDER, LIMIT, VALIDATION, REMOTE (an error frame), HTTP (non-2xx)
  3  an incomplete stream: TRUNCATED, NETWORK (no byte arrived), TIMEOUT (--timeout-ms)

Examples:
  streamtypes inspect capture.bin
  curl -sN http://127.0.0.1:8080/words | streamtypes inspect --plain -
  streamtypes inspect --schema ./dist/streams.js#TOKENS http://127.0.0.1:8080/tokens
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: "string" },
        schema: { type: "string" },
        json: { type: "boolean" },
        plain: { type: "boolean" },
        "max-value-bytes": { type: "string" },
        "max-frame-bytes": { type: "string" },
        "timeout-ms": { type: "string" },
        "no-progress": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command, input, ...rest] = positionals;
  if (command === undefined) return usage("Give a command: streamtypes inspect <file | - | url>.");
  if (command !== "inspect") return usage(`Unknown command "${command}"; the only one is "inspect".`);
  if (input === undefined) return usage("Give the stream to inspect: a file, - for standard input, or a URL.");
  if (rest.length > 0) return usage(`One input at a time; extra arguments: ${rest.join(" ")}.`);
  if (values.json && values.plain) return usage("Give --json or --plain, not both.");
  try {
    const format = values.format === undefined ? undefined : formatName(values.format);
    const maxValueBytes = positiveInt("--max-value-bytes", values["max-value-bytes"], 1024);
    const maxFrameBytes = positiveInt("--max-frame-bytes", values["max-frame-bytes"], 16 * 1024 * 1024);
    if (maxFrameBytes > 0xffffffff) throw new UsageError("--max-frame-bytes cannot exceed 4294967295.");
    const timeoutMs = nonNegativeInt("--timeout-ms", values["timeout-ms"], 60_000);
    const definition = values.schema === undefined ? undefined : await loadDefinition(values.schema);
    const plain = values.plain === true;
    const isUrl = /^https?:\/\//i.test(input);
    const progress = !values["no-progress"] && process.stderr.isTTY ? progressLine() : undefined;
    const write = (line: string) => void process.stdout.write(line + "\n");
    const common = { format, definition, maxValueBytes, maxFrameBytes, plain, write, progress: progress?.update };
    let summary: Summary;
    if (isUrl) summary = await inspectUrl(input, timeoutMs, common);
    else {
      const source = input === "-" ? process.stdin : await openFile(input);
      summary = await inspect(source, common);
    }
    progress?.clear();
    return summary.exitCode;
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }
}

/** Reads a URL live: the response's Content-Type is a hint for detection, `ms` is printed per frame. */
async function inspectUrl(url: string, timeoutMs: number, common: Parameters<typeof inspect>[1]): Promise<Summary> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const arm = () => {
    if (timeoutMs === 0) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new StreamError("TIMEOUT", `No byte arrived for ${timeoutMs} ms (--timeout-ms).`));
    }, timeoutMs);
  };
  arm();
  const start = performance.now();
  const fail = (error: StreamError) => {
    clearTimeout(timer);
    const summary: Summary = {
      summary: true,
      format: null,
      frames: 0,
      kinds: {},
      bytes: 0,
      payloadBytes: null,
      durationMs: Math.round((performance.now() - start) * 10) / 10,
      ended: null,
      error: { code: error.code, message: clip(error.message, common.maxValueBytes ?? 1024) },
      exitCode: error.code === "HTTP" ? 2 : 3,
    };
    // The message is a StreamError's: already printable (the reason phrase and the body it quotes included).
    common.write(common.plain ? `-- ${error.code}: ${summary.error!.message} (exit ${summary.exitCode})` : printable(JSON.stringify(summary)));
    return summary;
  };
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal, headers: { accept: "application/vnd.streamtypes, text/event-stream, application/x-ndjson, application/octet-stream;q=0.5, */*;q=0.1" } });
  } catch (err) {
    if (timedOut) return fail(new StreamError("TIMEOUT", `No response within ${timeoutMs} ms (--timeout-ms).`));
    const inner = err instanceof Error && err.cause !== undefined ? ` (${String((err.cause as Error).message ?? err.cause)})` : "";
    return fail(new StreamError("NETWORK", `The stream could not be read: ${(err as Error).message}${inner}. No byte arrived.`));
  }
  if (!response.ok) {
    const body = await bodyPrefix(response, ERROR_BODY_BYTES);
    return fail(new StreamError("HTTP", `HTTP ${response.status} ${response.statusText}: ${JSON.stringify(new TextDecoder().decode(body))}`, { status: response.status }));
  }
  const body = response.body;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (body === null) return;
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        arm();
        yield value;
      }
    } catch (err) {
      throw timedOut ? new StreamError("TIMEOUT", `No byte arrived for ${timeoutMs} ms (--timeout-ms).`) : err;
    } finally {
      clearTimeout(timer);
      reader.cancel().catch(() => undefined);
    }
  }
  const summary = await inspect(chunks(), { ...common, live: true, hint: formatFromContentType(response.headers.get("content-type")) });
  clearTimeout(timer);
  return summary;
}

/** The bytes of an error answer shown in its message, at most: an endless error body is not read on. */
const ERROR_BODY_BYTES = 200;

/** The first `max` bytes of a body (fewer if it ends first); the rest is never read, and the body is cancelled. */
async function bodyPrefix(response: Response, max: number): Promise<Uint8Array> {
  const out = new Uint8Array(max);
  let filled = 0;
  const reader = response.body?.getReader();
  try {
    while (reader !== undefined && filled < max) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = value.subarray(0, max - filled);
      out.set(take, filled);
      filled += take.length;
    }
  } catch {
    // what arrived before the failure is shown
  } finally {
    reader?.cancel().catch(() => undefined);
  }
  return out.subarray(0, filled);
}

/** A file to read: a directory, or a file that cannot be opened, is a usage error (exit 1), not a failed stream. */
async function openFile(path: string): Promise<AsyncIterable<Uint8Array>> {
  let handle;
  try {
    handle = await open(path, "r");
    if ((await handle.stat()).isDirectory()) throw new Error("it is a directory; give a file, - for standard input, or a URL");
  } catch (err) {
    await handle?.close();
    throw new UsageError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  return handle.createReadStream({ highWaterMark: 64 * 1024 });
}

/** Imports `file.js#NAME` and checks that the export is a stream definition. */
async function loadDefinition(spec: string): Promise<DefinitionLike> {
  const hash = spec.lastIndexOf("#");
  const file = hash < 0 ? spec : spec.slice(0, hash);
  const name = hash < 0 ? "default" : spec.slice(hash + 1);
  let module: Record<string, unknown>;
  try {
    module = await importModule(file);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--schema: cannot import ${file}: ${(err as Error).message}`);
  }
  const def = module[name] as Partial<DefinitionLike> | undefined;
  if (def === undefined) {
    throw new UsageError(`--schema: ${file} has no export "${name}"; its exports: ${Object.keys(module).join(", ") || "none"}. Name one with ${file}#NAME.`);
  }
  if (typeof def !== "object" || def === null || typeof def.reader !== "function" || typeof def.format !== "object") {
    throw new UsageError(`--schema: the export "${name}" of ${file} is not a stream definition (what streamTypes(...) returns).`);
  }
  return def as DefinitionLike;
}

/** TypeScript files, which Node 20 does not import by itself. */
const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;

/**
 * Imports a --schema module. A TypeScript one (the shared file that defines the stream, often) goes through tsx
 * from the project the command runs in, when it has tsx; otherwise a usage error says what to do.
 */
async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(resolve(file)).href;
  if (!TYPESCRIPT.test(file)) return (await import(url)) as Record<string, unknown>;
  let tsxApi: string;
  try {
    // Its ESM API, as its package.json exports it (require.resolve would give the CommonJS one).
    const manifest = createRequire(join(process.cwd(), "package.json")).resolve("tsx/package.json");
    const exported = (JSON.parse(readFileSync(manifest, "utf8")) as { exports: Record<string, { import: { default: string } }> }).exports["./esm/api"]!.import.default;
    tsxApi = join(dirname(manifest), exported);
  } catch {
    throw new UsageError(
      `--schema: ${file} is TypeScript, which Node does not import by itself. Install tsx in this project (npm install -D tsx) and ` +
        `streamtypes loads the file with it, or point --schema at the compiled JavaScript (e.g. ./dist/shared.js#NAME).`,
    );
  }
  const { tsImport } = (await import(pathToFileURL(tsxApi).href)) as { tsImport(specifier: string, parent: string): Promise<Record<string, unknown>> };
  return tsImport(url, import.meta.url);
}

function formatName(value: string): FormatName {
  if ((FORMAT_NAMES as readonly string[]).includes(value)) return value as FormatName;
  throw new UsageError(`Unknown --format "${value}"; use one of ${FORMAT_NAMES.join(", ")}.`);
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} takes a positive integer, got "${value}".`);
  return n;
}

function nonNegativeInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === "0") return 0;
  return positiveInt(flag, value, fallback);
}

function usage(message: string): number {
  process.stderr.write(`streamtypes: ${printable(message)}\nRun "streamtypes --help" for the options.\n`);
  return 1;
}

/** `\r`-updated progress on standard error, at most 5 times a second. */
function progressLine() {
  let last = 0;
  let shown = false;
  return {
    update(bytes: number, frames: number) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      process.stderr.write(`\r${(bytes / 1048576).toFixed(1)} MiB, ${frames} frames…`);
    },
    clear() {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`streamtypes: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
