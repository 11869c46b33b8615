// A real node:http test server on 127.0.0.1 (ephemeral port) that counts the responses still open.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TestServer {
  url: string;
  /** Responses started and not yet closed. */
  readonly open: number;
  /**
   * Waits until no response is open (woken by each response's "close", not by polling); returns the count left,
   * 0 unless a response stays open for `ms` (default 20 s: a bound against hangs, not a window to pass in).
   */
  settle(ms?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  let open = 0;
  let allClosed: (() => void)[] = [];
  const server = createServer((req, res) => {
    open++;
    res.on("close", () => {
      if (--open > 0) return;
      for (const wake of allClosed) wake();
      allClosed = [];
    });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get open() {
      return open;
    },
    async settle(ms = 20_000) {
      if (open === 0) return 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        allClosed.push(resolve);
        timer = setTimeout(resolve, ms);
      });
      clearTimeout(timer);
      return open;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
