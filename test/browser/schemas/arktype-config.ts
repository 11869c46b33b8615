// arktype's configuration, in a module of its own imported before "arktype" (arktype reads it when it loads).
import { configure } from "arktype/config";
import { params } from "./violations.js";

if (params.get("jitless") !== "0") configure({ jitless: true });
