// The Redis entry (streamtypes/redis): the replay store on Redis Streams for durable streams shared by many instances. Needs the optional peer "redis" (node-redis 5+).
export { redisStore, RedisStore, type RedisStoreOptions, type RedisClientLike, type RedisBlockingClient } from "./durable/node-redis-store.js";
export type { ReplayStore, StoredPart, StoreLimits } from "./durable/store.js";
