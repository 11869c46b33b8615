// A CPU profile of this process, taken on IPC request ("profile-start", "profile-stop") and summarised as self time per function and per file: for bench/durable-fanout.ts's children.
import { Session } from "node:inspector";

/** A V8 CPU profile's nodes, as much as the summary needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (top 25) and per file, in % of the samples. */
export function summarize(profile: CpuProfile): { functions: [string, number][]; files: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url.replace(/^.*\/(src|bench|node_modules)\//, "$1/") || "(V8/native)";
    const name = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + 1);
    const f = frame.url === "" ? `(${frame.functionName || "native"})` : frame.url.startsWith("node:") ? frame.url : where.replace(/^(node_modules\/(@[^/]+\/)?[^/]+).*$/, "$1");
    file.set(f, (file.get(f) ?? 0) + 1);
  }
  const total = profile.samples.length;
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, +((100 * v) / total).toFixed(1)] as [string, number]);
  return { functions: top(fn, 25), files: top(file, 20) };
}


/** Starts V8's CPU profiler (what --cpu-prof uses) on "profile-start", replies `{ profiling: true }`; on "profile-stop" replies `{ profile: summary }`. */
export function profileOnMessages(): void {
  const session = new Session();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  process.on("message", (message) => {
    if (message === "profile-start") {
      session.connect();
      void post("Profiler.enable")
        .then(() => post("Profiler.setSamplingInterval", { interval: 500 }))
        .then(() => post("Profiler.start"))
        .then(() => process.send!({ profiling: true }));
    }
    if (message === "profile-stop") {
      void post("Profiler.stop").then((result) => {
        session.disconnect();
        process.send!({ profile: summarize((result as { profile: CpuProfile }).profile) });
      });
    }
  });
}
