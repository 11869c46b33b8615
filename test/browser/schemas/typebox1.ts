// Schema page: TypeBox 1.x through typebox1() under a strict CSP: `{ compile: false }` (`?compile=1`: the default, which tries to compile and falls back).
import "./violations.js";
import { Type } from "typebox";
import { typebox1 } from "../../../src/typebox1.js";
import { readWith } from "./read.js";
import { params } from "./violations.js";

const options = params.get("compile") === "1" ? {} : { compile: false };
void readWith(
  "typebox1",
  typebox1(Type.Object({ index: Type.Integer({ minimum: 0 }), text: Type.String() }), options),
  typebox1(Type.Object({ runId: Type.String() }), options),
  typebox1(Type.Object({ items: Type.Integer({ minimum: 0 }) }), options),
);
