// The recipe's schema, without streamtypes: shared by the demo's object stream (recipe.ts), its page and the usePartialObject() test.
import { Type } from "@sinclair/typebox";

export const Recipe = Type.Object({
  title: Type.String({ minLength: 1 }),
  serves: Type.Integer({ minimum: 1 }),
  minutes: Type.Integer({ minimum: 1 }),
  ingredients: Type.Array(Type.Object({ name: Type.String(), amount: Type.String() })),
  steps: Type.Array(Type.String({ maxLength: 200 })),
});
