// A producer on plain node:http: GET /tokens streams a typed token stream. Run: node --import tsx examples/producer-node-http.ts
import { createServer } from "node:http";
import { sendResponse } from "streamtypes/node";
import { simulateTokens } from "./generate.js";
import { TOKENS } from "./tokens.js";

export function tokenResponse(model = "demo-7b"): Response {
  return TOKENS.toResponse(
    async function* (w, signal) {
      const started = performance.now();
      yield w.header({ runId: crypto.randomUUID(), model, startedAt: new Date().toISOString() });
      let index = 0;
      for await (const { text, logprob } of simulateTokens(signal)) yield w.item({ index: index++, text, logprob });
      yield w.footer({ tokens: index, durationMs: Math.round(performance.now() - started), finishReason: "stop" });
    },
    { keepAliveMs: 15_000 }, // idle proxies cut silent connections; keep-alive frames prevent it
  );
}

export const server = createServer((req, res) => {
  if (req.url === "/tokens") void sendResponse(res, tokenResponse());
  else res.writeHead(404).end("not found");
});

if (import.meta.url === `file://${process.argv[1]}`) {
  server.listen(8080, "127.0.0.1", () => console.log("streaming on http://127.0.0.1:8080/tokens"));
}
