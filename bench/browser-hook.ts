// The hook for the browser part of the suite (not built yet): produce a workload's bytes, and time one read of given bytes, in any JS runtime.
//
// Nothing here imports Node: bundle this file for a page (e.g. esbuild bench/browser-hook.ts --bundle --format=esm),
// make the bytes in Node with writeWorkloadBytes() (or in the page itself), hand them to the page, and call
// readWorkloadBytes() there, for example from Playwright's page.evaluate(). Compare "streamtypes-msgpack" with
// "ndjson" on W1 and W2 from the same page load, as the Node suite does.
import { chunkedSource, joinBytes } from "./contender.js";
import { CONTENDERS } from "./contenders.js";
import { seconds } from "./measure.js";
import { makeItems, workloadById, type Chunking } from "./workloads.js";

function contender(key: string) {
  const c = CONTENDERS.find((x) => x.key === key);
  if (c === undefined || !c.framed) throw new Error(`no framed contender "${key}"; framed ones: ${CONTENDERS.filter((x) => x.framed).map((x) => x.key).join(", ")}`);
  return c;
}

/** The whole stream `count` items of a workload make when written by a contender ("streamtypes-msgpack", "ndjson", …). */
export function writeWorkloadBytes(workloadId: string, contenderKey: string, count: number): Uint8Array {
  const w = workloadById(workloadId);
  const c = contender(contenderKey);
  const pieces: Uint8Array[] = [];
  c.prepare(w).write(makeItems(w, count), (p) => pieces.push(p));
  return joinBytes(pieces);
}

export interface BrowserReadResult {
  items: number;
  seconds: number;
  itemsPerSec: number;
  mbPerSec: number;
}

/** Reads `bytes` (from writeWorkloadBytes with the same workload and contender) once, fed as `chunking`, and times it. */
export async function readWorkloadBytes(workloadId: string, contenderKey: string, bytes: Uint8Array, chunking: Chunking): Promise<BrowserReadResult> {
  const w = workloadById(workloadId);
  const reader = contender(contenderKey).prepare(w); // compiles validators: kept out of the timed region
  const start = seconds();
  const items = await reader.read(chunkedSource(bytes, chunking));
  const took = seconds() - start;
  return { items, seconds: took, itemsPerSec: items / took, mbPerSec: bytes.length / took / 1e6 };
}
