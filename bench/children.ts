// Runs the memory measurements in child processes (Node only), feeding them stream bytes through a pipe.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BENCH_DIR = fileURLToPath(new URL(".", import.meta.url));

export interface ReadMemory {
  items: number;
  ms: number;
  baselineRss: number;
  peakRss: number;
  maxRssLifetime: number;
  baselineHeapUsed: number;
  peakHeapUsed: number;
  baselineArrayBuffers: number;
  peakArrayBuffers: number;
}

export interface ManyReadersMemory {
  readers: number;
  heapUsedBytes: number;
  arrayBuffersBytes: number;
  rssBytes: number;
  stillOpen: number;
}

/** Runs a bench script in a fresh Node with --expose-gc, writes `input` to its stdin, parses its one JSON line. */
function runChild<T>(script: string, args: string[], input?: Uint8Array): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", BENCH_DIR + script, ...args], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => (out += text));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop()!) as T);
      } catch (err) {
        reject(err);
      }
    });
    child.stdin.on("error", () => {}); // a child that fails early closes its stdin; the exit code reports it
    void feed(child.stdin, input);
  });
}

/** Writes the bytes in 64 KiB pieces, honouring backpressure, so the parent never queues the whole stream in the pipe. */
async function feed(stdin: NodeJS.WritableStream, input: Uint8Array | undefined): Promise<void> {
  const PIECE = 64 * 1024;
  if (input !== undefined) {
    for (let at = 0; at < input.length; at += PIECE) {
      if (!stdin.write(input.subarray(at, at + PIECE))) await new Promise((r) => stdin.once("drain", r));
    }
  }
  stdin.end();
}

/** Peak memory of a process that reads `bytes` (a whole stream) from a pipe with one contender. */
export function measureReadMemory(workload: string, contender: string, bytes: Uint8Array): Promise<ReadMemory> {
  return runChild<ReadMemory>("read-child.ts", [workload, contender], bytes);
}

/** Heap held by `readers` readers open at once, each mid-stream. */
export function measureManyReaders(readers: number): Promise<ManyReadersMemory> {
  return runChild<ManyReadersMemory>("many-readers-child.ts", [String(readers)]);
}
