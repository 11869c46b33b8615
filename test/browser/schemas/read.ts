// The schema pages' shared reader: reads /stream/<name> with streamtypes/browser and renders header, items, footer or the error.
import { StreamError, streamTypes, type SchemaLike } from "../../../src/browser.js";
import { params } from "./violations.js";

const $ = (id: string): HTMLElement => document.getElementById(id)!;

/** Reads the stream the query names (`stream=basic` or `stream=invalid`) with these schemas, and renders it. */
export async function readWith(library: string, item: SchemaLike, header: SchemaLike, footer: SchemaLike): Promise<void> {
  $("entry").textContent = library;
  $("eval").textContent = "not probed";
  try {
    const TYPES = streamTypes(item, header, footer);
    $("validator").textContent = TYPES.validation;
    const reader = TYPES.reader(fetch(`/stream/${encodeURIComponent(params.get("stream") ?? "basic")}`), { idleTimeoutMs: 10_000 });
    $("status").textContent = "reading";
    const h = (await reader.readHeader()) as { runId: string };
    $("header").textContent = `run ${h.runId}`;
    for await (const value of reader.readItems()) {
      const it = value as { index: number; text: string };
      const li = document.createElement("li");
      li.textContent = `${it.index}: ${it.text}`;
      $("items").append(li);
      $("count").textContent = String(reader.itemsRead);
    }
    const f = (await reader.readFooter()) as { items: number };
    $("footer").textContent = `footer: ${f.items} items, completed ${reader.completed}`;
    $("status").textContent = "done";
  } catch (error) {
    const el = $("error");
    if (error instanceof StreamError) {
      el.dataset.code = error.code;
      el.dataset.paths = (error.issues ?? []).map((i) => i.path).join(" ");
      el.textContent = `${error.code}: ${error.message}`;
    } else {
      const e = error instanceof Error ? error : new Error(String(error));
      el.dataset.code = e.name;
      el.textContent = `${e.name}: ${e.message}`;
    }
    $("status").textContent = "failed";
  }
}
