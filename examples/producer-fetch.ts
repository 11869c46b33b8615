// A producer as a fetch-style handler, for Hono, Deno, Bun and workers; on Node through nodeHandler.
import { nodeHandler } from "streamtypes/node";
import { simulateTokens } from "./generate.js";
import { TOKENS } from "./tokens.js";

/** POST { "model": "..." } → a typed token stream. A thrown error reaches the client as an error frame. */
export async function handle(request: Request): Promise<Response> {
  const { model = "demo-7b", failAfter } = (await request.json().catch(() => ({}))) as { model?: string; failAfter?: number };
  return TOKENS.toResponse(async function* (w, signal) {
    const started = performance.now();
    yield w.header({ runId: crypto.randomUUID(), model, startedAt: new Date().toISOString() });
    let index = 0;
    for await (const { text, logprob } of simulateTokens(signal)) {
      if (index === failAfter) throw new Error(`${model} ran out of GPU memory`);
      yield w.item({ index: index++, text, logprob });
    }
    yield w.footer({ tokens: index, durationMs: Math.round(performance.now() - started), finishReason: "stop" });
  });
}

// Deno.serve(handle) · Bun.serve({ fetch: handle }) · export default { fetch: handle } · app.post("/tokens", (c) => handle(c.req.raw))
export const nodeListener = nodeHandler(handle);
