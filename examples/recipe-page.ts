// The browser demo's recipe panel: reads the object stream of a fake model writing a JSON recipe and renders the recipe as it grows.
import { StreamError, type PartialStep, type Path } from "streamtypes/browser";
import { RECIPE, type Recipe } from "./recipe.js";
import type { Static } from "@sinclair/typebox";

type RecipeValue = Static<typeof Recipe>;

const $ = (id: string): HTMLElement => document.getElementById(id)!;

/** An element with text, marked "typing" while its value is still being written. */
function text(tag: string, value: string | number | undefined, step: PartialStep<RecipeValue>, path: Path): HTMLElement {
  const el = document.createElement(tag);
  el.textContent = value === undefined ? "" : String(value);
  if (value !== undefined && !step.isClosed(path)) el.className = "typing";
  return el;
}

/** The whole panel from the object so far: small, so each animation frame redraws it. */
function render(step: PartialStep<RecipeValue>): void {
  const r = step.value;
  $("recipe-title").replaceChildren(text("span", r.title, step, ["title"]));
  const meta: HTMLElement[] = [];
  if (r.serves !== undefined) meta.push(text("span", `serves ${r.serves}`, step, ["serves"]));
  if (r.minutes !== undefined) meta.push(text("span", ` · ${r.minutes} min`, step, ["minutes"]));
  $("recipe-meta").replaceChildren(...meta);
  $("recipe-ingredients").replaceChildren(
    ...(r.ingredients ?? []).map((ing, i) => {
      const li = document.createElement("li");
      li.append(text("b", ing?.amount, step, ["ingredients", i, "amount"]), " ", text("span", ing?.name, step, ["ingredients", i, "name"]));
      return li;
    }),
  );
  $("recipe-steps").replaceChildren(...(r.steps ?? []).map((s, i) => text("li", s, step, ["steps", i])));
}

/** Reads /recipe: the object grows patch by patch; the footer is the whole recipe, validated. */
export async function runRecipe(signal: AbortSignal): Promise<void> {
  const reader = RECIPE.reader(fetch("/recipe", { signal }), { signal, idleTimeoutMs: 30_000 });
  let latest: PartialStep<RecipeValue> | undefined;
  let scheduled = false;
  let patches = 0;
  try {
    for await (const step of reader.readPartials()) {
      patches++;
      latest = step;
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(() => {
          scheduled = false;
          if (latest) render(latest);
        });
      }
    }
    const recipe = await reader.readFooter();
    if (latest) render(latest);
    $("recipe-footer").textContent = `✓ ${recipe.ingredients.length} ingredients, ${recipe.steps.length} steps · ${patches} patches · every value checked as it closed`;
  } catch (err) {
    $("recipe-error").textContent = err instanceof StreamError ? `✗ ${err.code}: ${err.message}` : `✗ ${String(err)}`;
  }
}
