// Debian's nginx (/usr/sbin/nginx) as a reverse proxy in tests: the config block of docs/nginx.md, run from a temp dir.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const NGINX_BINARY = "/usr/sbin/nginx";
export const hasNginx = existsSync(NGINX_BINARY);

/** The values docs/nginx.md's config uses, which a test replaces. */
const DOC_LISTEN = "listen 8080;";
const DOC_UPSTREAM = "server 127.0.0.1:3000;";
const DOC_READ_TIMEOUT = "proxy_read_timeout 60s;";

/** The one ```nginx block of docs/nginx.md, as written. */
export async function docConfig(): Promise<string> {
  const doc = await readFile(new URL("../docs/nginx.md", import.meta.url), "utf8");
  const blocks = [...doc.matchAll(/^```nginx\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  if (blocks.length !== 1) throw new Error(`docs/nginx.md should have exactly one nginx block, found ${blocks.length}`);
  return blocks[0]!;
}

/** Replaces `from`, which must occur exactly once, so that a change to the doc breaks the test instead of passing it by. */
function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`docs/nginx.md's config should contain "${from}" exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

export interface Nginx {
  /** http://127.0.0.1:port, nginx's listening address. */
  url: string;
  /** What nginx wrote to stderr (its error log), for failure messages. */
  readonly log: string;
  /** Stops nginx (SIGTERM, then SIGKILL if it has not exited within 5 s) and removes its temp dir. */
  stop(): Promise<void>;
}

/**
 * Starts nginx in front of `upstreamPort` with docs/nginx.md's config: only the app's address, the listen address
 * and `proxy_read_timeout` are replaced. Everything nginx writes (pid, temp files) stays in a temp dir, so it runs
 * as root without touching /var. Resolves once nginx accepts connections.
 */
export async function startNginx(upstreamPort: number, { readTimeout = "60s" }: { readTimeout?: string } = {}): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), "streamtypes-nginx-"));
  // nginx's workers run as an unprivileged user when the master is root; they must reach the temp paths.
  await chmod(dir, 0o755);
  const port = await freePort();
  let site = await docConfig();
  site = replaceOnce(site, DOC_LISTEN, `listen 127.0.0.1:${port};`);
  site = replaceOnce(site, DOC_UPSTREAM, `server 127.0.0.1:${upstreamPort};`);
  site = replaceOnce(site, DOC_READ_TIMEOUT, `proxy_read_timeout ${readTimeout};`);
  const conf = join(dir, "nginx.conf");
  await writeFile(
    conf,
    [
      "worker_processes 1;",
      "events { worker_connections 256; }",
      "http {",
      "    access_log off;",
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${join(dir, kind)};`),
      site.replace(/^/gm, "    "),
      "}",
      "",
    ].join("\n"),
  );
  const child = spawn(NGINX_BINARY, ["-p", dir, "-c", conf, "-e", "stderr", "-g", `daemon off; pid ${join(dir, "nginx.pid")}; error_log stderr notice;`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    await kill(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilListening(port, child, () => log);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    get log() {
      return log;
    },
    stop,
  };
}

/** A port that was free a moment ago: bind port 0, note the port, let it go. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntilListening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 50) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`nginx exited at start:\n${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within 5 s:\n${log()}`);
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // SIGTERM is nginx's fast shutdown; SIGQUIT (graceful) would wait for streams that are still open.
  child.kill("SIGTERM");
  const inTime = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(r, 5000, false))]);
  if (!inTime) {
    child.kill("SIGKILL");
    await exited;
  }
}
