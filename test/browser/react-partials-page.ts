// The usePartialObject() test page: real React renders the recipe object stream its query picks, marking values still being written.
import { createElement as h, StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { StreamError, objectStream, sse } from "../../src/browser.js";
import { usePartialObject } from "../../src/react.js";
import { Recipe } from "../../examples/recipe-schema.js";

const RECIPE = objectStream(Recipe, { format: sse() });
const stream = new URLSearchParams(location.search).get("stream") ?? "held";

function RecipeView(): ReactNode {
  const { partial, object, isClosed, status, error } = usePartialObject(RECIPE, `/recipe/${stream}`);
  const mark = (path: (string | number)[]) => (isClosed(path) ? "closed" : "open");
  return h(
    "div",
    null,
    h("p", { id: "status" }, status),
    h("h1", { id: "title", "data-state": mark(["title"]) }, partial?.title ?? ""),
    h("ol", { id: "steps" }, (partial?.steps ?? []).map((s, i) => h("li", { key: i, "data-state": mark(["steps", i]) }, s))),
    // `object` is the whole recipe, typed as such (no optional properties): only there once the stream is done.
    h("p", { id: "object" }, object ? `${object.title}: ${object.steps.length} steps, serves ${object.serves}` : ""),
    h("p", { id: "error", "data-code": error instanceof StreamError ? error.code : "" }, error ? String((error as Error).message) : ""),
  );
}

createRoot(document.getElementById("root")!).render(h(StrictMode, null, h(RecipeView)));
