// The resume test page's own script: reads /stream/<format> through the page's fetch with `reconnect`, so a connection
// the server cuts is reopened with Last-Event-ID, and renders header, items, footer (or the error) into the DOM.
// Bundled by test/browser-resume.test.ts from the browser entry.
import { StreamError, binary, msgpackReadOnly, ndjson, readerTypes, sse, type Format } from "../../src/browser.js";
import { Footer, Header, Item } from "./streams.js";

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const params = new URLSearchParams(location.search);

function formatNamed(name: string): Format {
  if (name === "binary") return binary(msgpackReadOnly());
  if (name === "sse") return sse();
  if (name === "ndjson") return ndjson();
  throw new Error(`no format ${name}`);
}

async function read(name: string): Promise<void> {
  const TYPES = readerTypes(Item, Header, Footer, { format: formatNamed(name) });
  const url = `/stream/${encodeURIComponent(name)}`;
  const reader = TYPES.reader(fetch(url), {
    idleTimeoutMs: 10_000,
    maxReconnects: 2,
    reconnect: (lastEventId) => {
      $("reconnects").textContent = String(Number($("reconnects").textContent) + 1);
      return fetch(url, { headers: lastEventId === undefined ? {} : { "Last-Event-ID": lastEventId } });
    },
  });
  $("status").textContent = "reading";
  const header = await reader.readHeader();
  $("header").textContent = `run ${header.runId}`;
  for await (const item of reader.readItems()) {
    const li = document.createElement("li");
    li.textContent = `${item.index}: ${item.text}`;
    $("items").append(li);
  }
  const footer = await reader.readFooter();
  $("footer").textContent = `footer: ${footer.items} items, completed ${reader.completed}`;
  $("status").textContent = "done";
}

read(params.get("format") ?? "binary").catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  $("error").textContent = err instanceof StreamError ? `${err.code}: ${err.message}` : `${e.name}: ${e.message}`;
  $("status").textContent = "failed";
});
