// The recipe schema of the usePartialObject() test: shared by its page (bundled for Chromium) and its producers on node:http.
import { Type } from "@sinclair/typebox";

export const Recipe = Type.Object({
  title: Type.String({ minLength: 1 }),
  serves: Type.Integer({ minimum: 1 }),
  minutes: Type.Integer({ minimum: 1 }),
  ingredients: Type.Array(Type.Object({ name: Type.String(), amount: Type.String() })),
  steps: Type.Array(Type.String({ maxLength: 200 })),
});
