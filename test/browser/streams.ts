// Schemas shared by the browser test page (bundled for Chromium) and the test's producers on node:http.
import { Type } from "@sinclair/typebox";

export const Header = Type.Object({ runId: Type.String() });
export const Item = Type.Object({ index: Type.Integer({ minimum: 0 }), text: Type.String() });
export const Footer = Type.Object({ items: Type.Integer({ minimum: 0 }) });

/** The small item of the CSP cost measurement: a token as an LLM stream carries it. */
export const BenchItem = Type.Object({ index: Type.Integer({ minimum: 0 }), text: Type.String(), logprob: Type.Number() });

/** The strict Content-Security-Policy of the CSP scenarios: no 'unsafe-eval', no inline script or style. */
export const STRICT_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'";
