// Shared by the durable-stream tests: node:http instances serving STREAM.durable() over a store, a producer that counts its runs, cuts after N frames, and a resuming client.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Type } from "@sinclair/typebox";
import { streamTypes, type Format, type ReplayStore } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { readAll, type ReadResult } from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

export const Item = Type.Object({ n: Type.Integer(), text: Type.String(), pad: Type.Optional(Type.String()) });
export const Header = Type.Object({ run: Type.String() });
export const Footer = Type.Object({ count: Type.Integer() });

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function definition(format: Format) {
  return streamTypes(Item, Header, Footer, { format });
}
export type Definition = ReturnType<typeof definition>;

export interface ProducerStats {
  /** Producer runs started, per stream id. */
  runs: Map<string, number>;
  /** Items produced, per stream id. */
  produced: Map<string, number>;
  /** Producers that finished (returned or were cancelled), per stream id. */
  finished: Map<string, number>;
}

export interface HarnessOptions {
  total: number;
  /** Pause (ms) after every `pauseEvery` items, so that the stream is live while clients come and go. */
  pauseMs?: number;
  pauseEvery?: number;
  /** Options of STREAM.durable() besides store and resumeAfter. */
  durable?: Parameters<Definition["durable"]>[2];
  /** Characters of padding per item, to fill stores. */
  itemBytes?: number;
  /** Awaited by the producer before its header, with its signal. */
  beforeHeader?: (id: string, signal: AbortSignal) => Promise<void>;
}

export interface Harness {
  servers: TestServer[];
  stats: ProducerStats;
  /** Cut plan: for each stream id, the frame counts after which successive connections are destroyed. */
  cuts: Map<string, number[]>;
  close(): Promise<void>;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Starts `instances` servers, all over `storeFor(i)`. Path: /<stream id>. */
export async function startInstances(S: Definition, storeFor: (instance: number) => ReplayStore, instances: number, options: HarnessOptions): Promise<Harness> {
  const stats: ProducerStats = { runs: new Map(), produced: new Map(), finished: new Map() };
  const cuts = new Map<string, number[]>();
  const servers: TestServer[] = [];
  for (let i = 0; i < instances; i++) {
    const store = storeFor(i);
    servers.push(
      await startServer((req: IncomingMessage, res: ServerResponse) => {
        const id = decodeURIComponent((req.url ?? "/").slice(1));
        const response = S.durable(
          id,
          async function* (w, signal) {
            bump(stats.runs, id);
            try {
              await options.beforeHeader?.(id, signal);
              yield w.header({ run: id });
              for (let n = 0; n < options.total; n++) {
                if (options.pauseMs !== undefined && n % (options.pauseEvery ?? 1) === 0) await sleep(options.pauseMs);
                yield w.item({ n, text: `item ${n}`, ...(options.itemBytes ? { pad: "x".repeat(options.itemBytes) } : {}) });
                bump(stats.produced, id);
              }
              yield w.footer({ count: options.total });
            } finally {
              bump(stats.finished, id);
            }
          },
          { ...options.durable, store, resumeAfter: (req.headers["last-event-id"] as string | undefined) ?? null },
        );
        const cut = cuts.get(id)?.shift();
        if (cut === undefined) {
          void sendResponse(res, response);
          return;
        }
        // Cut this connection after `cut` frames (server side, as a crashed proxy or a deploy would).
        let frames = 0;
        const body = response.body!.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              controller.enqueue(chunk);
              if (++frames === cut) setImmediate(() => res.destroy());
            },
          }),
        );
        void sendResponse(res, new Response(body, { headers: response.headers }));
      }),
    );
  }
  return {
    servers,
    stats,
    cuts,
    close: async () => {
      for (const s of servers) await s.close();
    },
  };
}

/** Reads stream `id`, reconnecting to the next instance (round robin) with Last-Event-ID each time the connection drops. */
export async function readResuming(S: Definition, h: Harness, id: string, options: { start?: number; maxReconnects?: number; lastEventId?: string } = {}): Promise<ReadResult & { urls: string[] }> {
  let at = options.start ?? 0;
  const urls: string[] = [];
  const open = (lastEventId: string | undefined) => {
    const url = `${h.servers[at++ % h.servers.length]!.url}/${encodeURIComponent(id)}`;
    urls.push(url);
    return fetch(url, { headers: lastEventId === undefined ? {} : { "Last-Event-ID": lastEventId } });
  };
  const reader = S.reader(open(options.lastEventId), { reconnect: open, maxReconnects: options.maxReconnects ?? 10, idleTimeoutMs: 10_000 });
  const result = await readAll(S, reader);
  return { ...result, urls };
}

export function expectedItems(total: number, from = 0, itemBytes?: number) {
  return Array.from({ length: total - from }, (_, i) => ({ n: from + i, text: `item ${from + i}`, ...(itemBytes ? { pad: "x".repeat(itemBytes) } : {}) }));
}
