// The object stream of the demos: a recipe as a model writes it in JSON, token by token, and its schema shared by producer and page.
import { objectStream, sse } from "streamtypes";
import { Recipe } from "./recipe-schema.js";

export { Recipe };

/** One recipe, streamed as patches over SSE (resumable); each value is checked as the model finishes it. */
export const RECIPE = objectStream(Recipe, { format: sse() });

/** What the fake model "writes". */
const ANSWER = {
  title: "Buttermilk pancakes",
  serves: 4,
  minutes: 25,
  ingredients: [
    { name: "flour", amount: "200 g" },
    { name: "buttermilk", amount: "300 ml" },
    { name: "eggs", amount: "2" },
    { name: "butter, melted", amount: "30 g" },
    { name: "baking powder", amount: "2 tsp" },
  ],
  steps: [
    "Whisk the flour and baking powder with a pinch of salt.",
    "Beat the eggs into the buttermilk, then stir in the melted butter.",
    "Fold the wet into the dry until just combined; a few lumps are fine.",
    "Cook ladlefuls on a hot buttered pan until bubbles form, flip, and cook one more minute.",
  ],
};

/**
 * A fake model answering in JSON: the recipe's text in tokens of one to five characters, as a model's tokenizer
 * cuts it, paced like a busy GPU.
 */
export async function* fakeModelJson(signal?: AbortSignal, delayMs = 10): AsyncGenerator<string> {
  const text = JSON.stringify(ANSWER, null, 1);
  for (let at = 0, i = 0; at < text.length; i++) {
    if (signal?.aborted) return;
    const size = 1 + ((i * 7) % 5);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs * (0.5 + ((i * 3) % 10) / 10)));
    yield text.slice(at, at + size);
    at += size;
  }
}
