// The React test page's script: useStream() from streamtypes/react renders the stream its query parameters pick.
// Bundled with real React and react-dom (development build, so that StrictMode double-runs effects) by test/browser/react-harness.ts.
import { StrictMode, createElement as h, useState, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { StreamError, streamTypes } from "../../src/browser.js";
import { useStream } from "../../src/react.js";
import { Footer, Header, Item } from "./streams.js";

const TYPES = streamTypes(Item, Header, Footer);
const params = new URLSearchParams(location.search);
const url = `/stream/${encodeURIComponent(params.get("stream") ?? "basic")}`;

function ErrorView({ error }: { error: unknown }): ReactNode {
  if (error === undefined) return h("p", { id: "error" });
  if (error instanceof StreamError) return h("p", { id: "error", "data-code": error.code, "data-remote": error.remote?.message }, `${error.code}: ${error.message}`);
  return h("p", { id: "error", "data-code": (error as Error).name }, String(error));
}

/** The items as a list. */
function ItemsStream(): ReactNode {
  const { header, items, footer, status, error, abort } = useStream(TYPES, url, { idleTimeoutMs: 20_000 });
  return h(
    "div",
    null,
    h("p", { id: "status" }, status),
    h("button", { id: "abort", type: "button", onClick: () => abort() }, "Abort"),
    h("p", { id: "header" }, header ? `run ${header.runId}` : ""),
    h("ol", { id: "items" }, items.map((item) => h("li", { key: item.index }, `${item.index}: ${item.text}`))),
    h("p", { id: "footer" }, footer ? `footer: ${footer.items} items` : ""),
    h(ErrorView, { error }),
  );
}

/** The items reduced to one text, as a token stream would be. */
function TextStream(): ReactNode {
  const { items: text, status, error } = useStream(TYPES, url, { reduce: (acc: string, item) => acc + item.text, initial: "" });
  return h("div", null, h("p", { id: "status" }, status), h("p", { id: "text" }, text), h(ErrorView, { error }));
}

function App(): ReactNode {
  const [mounted, setMounted] = useState(true);
  const view = params.get("reduce") === "1" ? TextStream : ItemsStream;
  return h(
    "main",
    null,
    h("button", { id: "unmount", type: "button", onClick: () => setMounted(false) }, "Unmount"),
    mounted ? h(view) : h("p", { id: "unmounted" }, "unmounted"),
  );
}

const root = createRoot(document.getElementById("root")!);
root.render(params.get("strict") === "1" ? h(StrictMode, null, h(App)) : h(App));
