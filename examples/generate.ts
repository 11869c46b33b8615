// A simulated LLM: yields tokens of a fixed text with small, uneven delays, and stops when told to.
const TEXT =
  "Typed streams carry a header, then items, then a footer. Each frame is validated on both ends, " +
  "so a consumer never sees a value its schema does not allow. When the producer fails, the consumer " +
  "hears about it in band, after the items that were already sent. A slow reader pauses the producer " +
  "instead of filling a queue, and a reader that leaves stops it.";

/** Token texts with a simulated log-probability, paced like a model on a busy GPU. */
export async function* simulateTokens(signal?: AbortSignal, delayMs = 12): AsyncGenerator<{ text: string; logprob: number }> {
  const pieces = TEXT.match(/\s*\S+/g) ?? [];
  for (const [i, text] of pieces.entries()) {
    if (signal?.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, delayMs * (0.5 + ((i * 7) % 10) / 10)));
    yield { text, logprob: -((i * 13) % 17) / 10 };
  }
}
