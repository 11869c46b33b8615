// Schema page: arktype 2 under a strict CSP, with `configure({ jitless: true })` from "arktype/config" imported first (`?jitless=0` leaves it out).
import "./violations.js";
import "./arktype-config.js";
import { type } from "arktype";
import { readWith } from "./read.js";

void readWith("arktype", type({ index: "number.integer >= 0", text: "string" }), type({ runId: "string" }), type({ items: "number.integer >= 0" }));
