// The browser test page's own script: reads the typed stream its query parameters pick and renders it into the DOM as it arrives.
// Bundled by test/browser/harness.ts: as is (the browser entry), or with ../../src/browser.js redirected to the main entry.
import { StreamError, binary, eventSourceStream, msgpackReadOnly, sse, streamTypes } from "../../src/browser.js";
import { BenchItem, Footer, Header, Item } from "./streams.js";

/** "browser" or "main": which entry this bundle was built from (an esbuild define). */
declare const __ENTRY__: string;

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const params = new URLSearchParams(location.search);

// Every CSP violation the page causes is listed, so a test can see that only the eval probe was blocked.
document.addEventListener("securitypolicyviolation", (e) => {
  const li = document.createElement("li");
  li.textContent = `${e.effectiveDirective} ${e.blockedURI}`;
  $("violations").append(li);
});

/** Whether this page may generate code: false under a Content-Security-Policy without 'unsafe-eval'. */
function evalAllowed(): boolean {
  try {
    new Function("");
    return true;
  } catch {
    return false;
  }
}

/** The validator a definition ended up with: "compiled" (TypeCompiler) or "interpreted" (TypeBox Check). */
function validatorMode(types: { validation: string }): string {
  return types.validation;
}

function show(error: unknown, aborted: boolean): void {
  const el = $("error");
  if (error instanceof StreamError) {
    el.dataset.code = error.code;
    if (error.remote) el.dataset.remote = error.remote.message;
    el.textContent = `${error.code}: ${error.message}`;
  } else {
    const e = error instanceof Error ? error : new Error(String(error));
    el.dataset.code = e.name;
    el.textContent = `${e.name}: ${e.message}`;
  }
  $("status").textContent = aborted ? "aborted" : "failed";
}

/** Reads `/stream/<name>` through fetch or the browser's EventSource and renders header, items, footer or error. */
async function read(name: string, via: string): Promise<void> {
  const TYPES = streamTypes(Item, Header, Footer, { format: name.startsWith("sse") ? sse() : binary(msgpackReadOnly()) });
  $("validator").textContent = validatorMode(TYPES);
  $("codec").textContent = TYPES.codec;
  const controller = new AbortController();
  $("abort").addEventListener("click", () => controller.abort());
  const url = `/stream/${encodeURIComponent(name)}`;
  const source = via === "eventsource" ? eventSourceStream(new EventSource(url)) : fetch(url, { signal: controller.signal });
  const reader = TYPES.reader(source, { signal: controller.signal, idleTimeoutMs: 20_000 });
  $("status").textContent = "reading";
  try {
    const header = await reader.readHeader();
    $("header").textContent = `run ${header.runId}`;
    for await (const item of reader.readItems()) {
      const li = document.createElement("li");
      li.textContent = `${item.index}: ${item.text}`;
      $("items").append(li);
      $("count").textContent = String(reader.itemsRead);
    }
    const footer = await reader.readFooter();
    $("footer").textContent = `footer: ${footer.items} items, ${reader.bytesRead} bytes, completed ${reader.completed}`;
    $("status").textContent = "done";
  } catch (err) {
    show(err, controller.signal.aborted);
  }
}

/**
 * The CSP cost measurement: reads the same in-memory stream of `n` small items several times, with validation
 * and without, and reports the median times as JSON in #bench. Times are measured here, never asserted.
 */
async function bench(n: number, runs: number): Promise<void> {
  const bytes = new Uint8Array(await (await fetch(`/stream/bench?n=${n}`)).arrayBuffer());
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 64 * 1024) chunks.push(bytes.subarray(at, at + 64 * 1024));
  const validated = streamTypes(BenchItem);
  const unvalidated = streamTypes(BenchItem, undefined, undefined, { validate: false });
  $("validator").textContent = validatorMode(validated);
  $("status").textContent = "measuring";
  const time = async (types: typeof validated): Promise<number> => {
    const started = performance.now();
    let count = 0;
    for await (const item of types.reader(chunks).readItems()) count += item.index >= 0 ? 1 : 0;
    const ms = performance.now() - started;
    if (count !== n) throw new Error(`read ${count} items, expected ${n}`);
    return ms;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const withValidation: number[] = [];
  const withoutValidation: number[] = [];
  await time(validated); // warm-up
  await time(unvalidated);
  for (let i = 0; i < runs; i++) {
    withValidation.push(await time(validated));
    withoutValidation.push(await time(unvalidated));
  }
  $("bench").textContent = JSON.stringify({
    entry: __ENTRY__,
    validator: validatorMode(validated),
    eval: evalAllowed(),
    items: n,
    bytes: bytes.length,
    validatedMs: median(withValidation),
    unvalidatedMs: median(withoutValidation),
  });
  $("status").textContent = "done";
}

$("entry").textContent = __ENTRY__;
$("eval").textContent = evalAllowed() ? "allowed" : "blocked";
const benchItems = Number(params.get("bench") ?? 0);
const run = benchItems > 0 ? bench(benchItems, Number(params.get("runs") ?? 5)) : read(params.get("stream") ?? "basic", params.get("via") ?? "fetch");
run.catch((err) => show(err, false));
