// A real node:http test server on 127.0.0.1 (ephemeral port) that counts the responses still open.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TestServer {
  url: string;
  /** Responses started and not yet closed. */
  readonly open: number;
  /** Waits (bounded) until no response is open; returns the count left. */
  settle(ms?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  let open = 0;
  const server = createServer((req, res) => {
    open++;
    res.on("close", () => open--);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get open() {
      return open;
    },
    async settle(ms = 2000) {
      for (let waited = 0; open > 0 && waited < ms; waited += 10) await new Promise((r) => setTimeout(r, 10));
      return open;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
