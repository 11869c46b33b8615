// The browser demo's page script (bundled by browser-demo.ts): reads the live token stream with streamtypes/browser and renders it.
import { StreamError, streamTypes } from "streamtypes/browser";
import { RunFooter, RunHeader, Token } from "./tokens.js";
import { runRecipe } from "./recipe-page.js";

/** The same schemas as the producer's TOKENS, read with the browser entry: no writer, no compiler, CSP-safe. */
const TOKENS = streamTypes(Token, RunHeader, RunFooter);
const MAX_TOKENS = 80;

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const bar = $("bar") as HTMLProgressElement;
const controller = new AbortController();
$("stop").addEventListener("click", () => controller.abort(new Error("stopped from the page")));

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function run(): Promise<void> {
  const reader = TOKENS.reader(fetch(`/tokens?max_tokens=${MAX_TOKENS}`, { signal: controller.signal }), {
    signal: controller.signal,
    idleTimeoutMs: 30_000,
  });
  const header = await reader.readHeader();
  const started = performance.now();
  $("run").textContent = `run ${header.runId.slice(0, 8)} · model ${header.model} · started ${new Date(header.startedAt).toLocaleTimeString()}`;
  bar.max = MAX_TOKENS;
  const progress = (count: number) => {
    const seconds = Math.max((performance.now() - started) / 1000, 0.001);
    bar.value = count;
    $("progress").textContent =
      `${count} tokens · ${Math.round((100 * count) / MAX_TOKENS)}% of max_tokens ${MAX_TOKENS} · ` +
      `${Math.round(count / seconds)} tok/s · ${kb(reader.bytesRead)} received`;
  };
  for await (const token of reader.readItems()) {
    const [, space = "", word = ""] = /^(\s*)(.*)$/s.exec(token.text) ?? [];
    const span = document.createElement("span");
    span.textContent = word;
    span.title = `token ${token.index} · logprob ${token.logprob}`;
    if (token.logprob < -1.4) span.className = "unsure"; // the model's least likely picks
    $("output").append(space, span);
    progress(reader.itemsRead);
  }
  const footer = await reader.readFooter();
  progress(reader.itemsRead);
  $("footer").textContent =
    `✓ ${footer.tokens} tokens in ${footer.durationMs} ms · finish reason ${footer.finishReason} · ` +
    `${kb(reader.bytesRead)} on the wire · every frame validated in the page`;
  $("stop").setAttribute("disabled", "");
}

run().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  $("error").textContent = err instanceof StreamError ? `✗ ${err.code}: ${err.message}` : `✗ ${e.message}`;
  $("stop").setAttribute("disabled", "");
});

void runRecipe(controller.signal);
