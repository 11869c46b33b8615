// Schema page: zod 4 under a strict CSP. `z.config({ jitless: true })` before any schema is built (`?jitless=0` leaves it out).
import "./violations.js";
import { z } from "zod";
import { readWith } from "./read.js";
import { params } from "./violations.js";

if (params.get("jitless") !== "0") z.config({ jitless: true });

void readWith(
  "zod",
  z.object({ index: z.int().min(0), text: z.string() }),
  z.object({ runId: z.string() }),
  z.object({ items: z.int().min(0) }),
);
