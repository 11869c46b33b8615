// Schema page: valibot 1 under a strict CSP. valibot never generates code: nothing to configure.
import "./violations.js";
import * as v from "valibot";
import { readWith } from "./read.js";

void readWith(
  "valibot",
  v.object({ index: v.pipe(v.number(), v.safeInteger(), v.minValue(0)), text: v.string() }),
  v.object({ runId: v.string() }),
  v.object({ items: v.pipe(v.number(), v.safeInteger(), v.minValue(0)) }),
);
