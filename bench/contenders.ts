// The list of contenders every run compares, baselines first.
import { lengthPrefixedMsgpackr, ndjson, rawMsgpackr } from "./baselines.js";
import type { Contender } from "./contender.js";
import { library } from "./library.js";

export const CONTENDERS: readonly Contender[] = [
  rawMsgpackr(),
  // The codec option src/codec.ts could adopt: fixmap headers (1 byte) instead of map16 (3 bytes) for small objects.
  rawMsgpackr("raw-msgpackr-varmap", "(a') raw msgpackr + variableMapSize", () => ({ useRecords: false, moreTypes: true, variableMapSize: true })),
  ndjson(),
  lengthPrefixedMsgpackr(),
  library({ codec: "msgpack", validate: true }),
  library({ codec: "msgpack", validate: false }),
  library({ codec: "json", validate: true }),
  library({ codec: "json", validate: false }),
  library({ codec: "json", validate: true, framing: "sse" }),
  library({ codec: "json", validate: true, framing: "ndjson" }),
  library({ codec: "msgpack", validate: true, batches: true }),
];
