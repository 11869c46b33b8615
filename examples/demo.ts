// npm run demo: a producer server on 127.0.0.1 and a consumer reading it over HTTP, live, then an in-band failure.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamError } from "streamtypes";
import { sendResponse } from "streamtypes/node";
import { printTokens } from "./consumer.js";
import { nodeListener } from "./producer-fetch.js";
import { tokenResponse } from "./producer-node-http.js";

const server = createServer((req, res) => {
  if (req.url === "/tokens" && req.method === "GET") void sendResponse(res, tokenResponse());
  else if (req.url === "/tokens" && req.method === "POST") nodeListener(req, res);
  else res.writeHead(404).end();
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tokens`;

try {
  console.log(`① GET ${url}: node:http producer → fetch consumer\n`);
  await printTokens(url);

  console.log(`\n② POST ${url}: fetch-style producer that fails after 5 tokens\n`);
  try {
    await printTokens(url, { method: "POST", body: JSON.stringify({ model: "demo-70b", failAfter: 5 }) });
    throw new Error("the failure should have reached the consumer");
  } catch (err) {
    if (!(err instanceof StreamError) || err.code !== "REMOTE") throw err;
    console.log(`\n\n✗ the producer failed, and the consumer knows: ${err.code} · ${err.remote?.message}`);
  }
} finally {
  server.closeAllConnections();
  server.close();
}
