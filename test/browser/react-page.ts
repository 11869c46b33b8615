// The React test page's script: useStream() from streamtypes/react renders the stream and scenario its query parameters pick.
// Bundled with real React and react-dom (19, or 18 from test/react18; development build, so that StrictMode double-runs
// effects) by test/browser/react-harness.ts. Every commit is logged in window.__commits for the test to read.
import * as React from "react";
import { StrictMode, createElement as h, useLayoutEffect, useState, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { StreamError, streamTypes } from "../../src/browser.js";
import { useStream, type UseStreamOptions } from "../../src/react.js";
import { Footer, Header, Item } from "./streams.js";

const TYPES = streamTypes(Item, Header, Footer);
const params = new URLSearchParams(location.search);
const streamUrl = (name: string) => `/stream/${encodeURIComponent(name)}`;
const url = streamUrl(params.get("stream") ?? "basic");

/** What the test reads back: one entry per commit of a stream view, and animation frames counted from the first. */
interface PageLog {
  commits: { request: string; status: string; header: string | undefined; items: number; text: string; frame: number }[];
  frames: number;
}
const log: PageLog = { commits: [], frames: 0 };
(window as unknown as { __log: PageLog }).__log = log;
const countFrames = () => {
  log.frames++;
  requestAnimationFrame(countFrames);
};
requestAnimationFrame(countFrames);

/** The hook's options from the query: `throttle=0|ms`, `resume=1|session`. */
function optionsFromQuery(): UseStreamOptions {
  const options: UseStreamOptions = { idleTimeoutMs: 20_000 };
  const throttle = params.get("throttle");
  if (throttle !== null) options.throttleMs = Number(throttle);
  const resume = params.get("resume");
  if (resume !== null) options.resume = resume === "session" ? "session" : true;
  return options;
}
const OPTIONS = optionsFromQuery();

function ErrorView({ error }: { error: unknown }): ReactNode {
  if (error === undefined) return h("p", { id: "error" });
  if (error instanceof StreamError) return h("p", { id: "error", "data-code": error.code, "data-remote": error.remote?.message }, `${error.code}: ${error.message}`);
  return h("p", { id: "error", "data-code": (error as Error).name }, String(error));
}

type Result = ReturnType<typeof useStream<typeof Item, typeof Header, typeof Footer>>;

/** The parts of a stream as the page shows them, every commit logged under the request's name. */
function StreamView({ name, result }: { name: string; result: Result }): ReactNode {
  const { header, items, footer, status, error, abort, restart } = result;
  useLayoutEffect(() => {
    log.commits.push({ request: name, status, header: header?.runId, items: items.length, text: items.map((i) => i.text).join(""), frame: log.frames });
  });
  return h(
    "div",
    null,
    h("p", { id: "status" }, status),
    h("button", { id: "abort", type: "button", onClick: () => abort() }, "Abort"),
    h("button", { id: "restart", type: "button", onClick: () => restart() }, "Restart"),
    h("p", { id: "header" }, header ? `run ${header.runId}` : ""),
    h("p", { id: "count" }, String(items.length)),
    items.length <= 100 ? h("ol", { id: "items" }, items.map((item) => h("li", { key: item.index }, `${item.index}: ${item.text}`))) : null,
    h("p", { id: "footer" }, footer ? `footer: ${footer.items} items` : ""),
    h(ErrorView, { error }),
  );
}

/** The stream the query names. */
function ItemsStream(): ReactNode {
  return h(StreamView, { name: url, result: useStream(TYPES, url, OPTIONS) });
}

/** A request that the buttons switch: stream a, stream b, or none. */
function SwitchedStream(): ReactNode {
  const [name, setName] = useState<string | null>(params.get("stream"));
  const result = useStream(TYPES, name === null ? null : streamUrl(name), OPTIONS);
  return h(
    "div",
    null,
    ...["basic", "other"].map((to) => h("button", { id: `to-${to}`, type: "button", onClick: () => setName(to) }, to)),
    h("button", { id: "to-null", type: "button", onClick: () => setName(null) }, "none"),
    h(StreamView, { name: String(name), result }),
  );
}

/** The request made anew at every render, as inline code does: a URL, or a POST Request whose body a button changes. */
function InlineRequest({ kind }: { kind: string }): ReactNode {
  const [question, setQuestion] = useState("first");
  const request =
    kind === "url"
      ? new URL(url, location.href)
      : new Request(new URL(url, location.href), { method: "POST", body: JSON.stringify({ question }), headers: { "content-type": "application/json" } });
  const result = useStream(TYPES, request, OPTIONS);
  return h("div", null, h("button", { id: "ask", type: "button", onClick: () => setQuestion("second") }, "Ask again"), h(StreamView, { name: question, result }));
}

/** The definition made anew at every render: a development warning, not a request per render. */
function InlineDefinition(): ReactNode {
  const types = streamTypes(Item, Header, Footer);
  return h(StreamView, { name: url, result: useStream(types, url, OPTIONS) });
}

/** A request function, made once (so that a remount finds its stream remembered), that sends the hook's position as Last-Event-ID. */
const openStream = (signal: AbortSignal, lastEventId?: string) => fetch(url, { signal, headers: lastEventId === undefined ? {} : { "last-event-id": lastEventId } });

function FunctionRequest(): ReactNode {
  return h(StreamView, { name: url, result: useStream(TYPES, openStream, OPTIONS) });
}

/** The items reduced to one text, as a token stream would be. */
function TextStream(): ReactNode {
  const { items: text, status, error } = useStream(TYPES, url, { ...OPTIONS, reduce: (acc: string, item) => acc + item.text, initial: "" });
  return h("div", null, h("p", { id: "status" }, status), h("p", { id: "text" }, text), h(ErrorView, { error }));
}

function view(): ReactNode {
  if (params.get("reduce") === "1") return h(TextStream);
  switch (params.get("scenario")) {
    case "switch":
      return h(SwitchedStream);
    case "inline-url":
      return h(InlineRequest, { kind: "url" });
    case "inline-request":
      return h(InlineRequest, { kind: "request" });
    case "inline-types":
      return h(InlineDefinition);
    case "function":
      return h(FunctionRequest);
    default:
      return h(ItemsStream);
  }
}

/** React 19's <Activity> (hidden: effects cleaned up, state kept), where this React has it. */
const Activity = (React as unknown as { Activity?: React.ComponentType<{ mode: "visible" | "hidden"; children?: ReactNode }> }).Activity;

function App(): ReactNode {
  const [mounted, setMounted] = useState(true);
  const [visible, setVisible] = useState(true);
  const content = Activity !== undefined && params.get("activity") === "1" ? h(Activity, { mode: visible ? "visible" : "hidden" }, view()) : mounted ? view() : h("p", { id: "unmounted" }, "unmounted");
  return h(
    "main",
    null,
    h("p", { id: "react-version" }, React.version),
    h("button", { id: "unmount", type: "button", onClick: () => setMounted(false) }, "Unmount"),
    h("button", { id: "mount", type: "button", onClick: () => setMounted(true) }, "Mount"),
    h("button", { id: "hide", type: "button", onClick: () => setVisible(false) }, "Hide"),
    h("button", { id: "show", type: "button", onClick: () => setVisible(true) }, "Show"),
    h("p", { id: "visibility" }, visible ? "visible" : "hidden"),
    content,
  );
}

const root = createRoot(document.getElementById("root")!);
root.render(params.get("strict") === "1" ? h(StrictMode, null, h(App)) : h(App));
