// A private redis-server for the tests: 127.0.0.1, a random free port, no persistence; restartable on the same port; skipped only when the binary is absent outside CI (test/required-program.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { createClient } from "redis";

export const REDIS_SERVER = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";
/** Why the Redis tests are skipped, or undefined when redis-server is there. */
export const redisMissing = existsSync(REDIS_SERVER) ? undefined : `redis-server not found at ${REDIS_SERVER} (apt-get install redis-server): the Redis store tests are skipped`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL: no goodbye to clients) and starts a new, empty one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning"], {
      stdio: "ignore",
    });
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        const probe = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
        probe.on("error", () => {});
        await probe.connect();
        await probe.ping();
        probe.destroy();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 30));
      }
    }
  };
  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill(signal);
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await kill();
      await start();
    },
    stop: () => kill("SIGTERM"),
    kill: () => kill(),
    start,
  };
}
