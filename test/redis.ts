// A private redis-server for the tests: 127.0.0.1, a random free port, no persistence; restartable on the same port; skipped only when the binary is absent outside CI (test/required-program.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  /** Kills the server (SIGKILL: no goodbye to clients) and starts a new one on the same port: empty, or with its data when persistent. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
}

/**
 * `persistent`: an append-only file written on every command (`appendfsync always`) in a temporary directory, so
 * that a restart keeps every acknowledged write, as a production Redis with AOF does.
 */
export async function startRedis(options: { persistent?: boolean; cluster?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = options.persistent === true || options.cluster === true ? mkdtempSync(join(tmpdir(), "streamtypes-redis-")) : undefined;
  const persistence = options.persistent !== true ? ["--appendonly", "no"] : ["--appendonly", "yes", "--appendfsync", "always"];
  // cluster: one node of a cluster that owns every slot, so that a command over keys of two slots fails (CROSSSLOT) as on a real cluster.
  const cluster = options.cluster === true ? ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"] : [];
  if (dir !== undefined) persistence.push("--dir", dir);
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, ...cluster, "--protected-mode", "no", "--loglevel", "warning"], {
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
  if (options.cluster === true) await claimAllSlots(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await kill();
      await start();
    },
    stop: async () => {
      await kill("SIGTERM");
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
    kill: () => kill(),
    start,
  };
}

/** A one-node cluster: the node takes every slot, then serves once the cluster state is ok. */
async function claimAllSlots(port: number): Promise<void> {
  const client = createClient({ url: `redis://127.0.0.1:${port}` });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.sendCommand(["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]);
    for (let tries = 0; !String(await client.sendCommand(["CLUSTER", "INFO"])).includes("cluster_state:ok"); tries++) {
      if (tries > 200) throw new Error("the one-node cluster did not reach cluster_state:ok");
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    client.destroy();
  }
}
