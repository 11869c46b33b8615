// Child process for the durable-stream tests: one instance serving STREAM.durable() over a Redis store, to be killed (SIGKILL) mid-stream. Args: redis URL, key prefix, lease ms, [items, pause ms].
import { createClient } from "redis";
import { redisStore } from "../src/redis.js";
import { definition, startInstances } from "./durable-harness.js";
import { binary, msgpack } from "../src/index.js";

const [url, keyPrefix, leaseMs, total, pauseMs] = process.argv.slice(2);
const client = createClient({ url });
client.on("error", () => {});
await client.connect();
const store = redisStore({ client, keyPrefix, leaseMs: Number(leaseMs), blockMs: 500 });
const harness = await startInstances(definition(binary(msgpack())), () => store, 1, { total: Number(total ?? 100_000), pauseMs: Number(pauseMs ?? 10), pauseEvery: 1 });
process.stdout.write(`${harness.servers[0]!.url}\n`);
