// The streamtypes/typebox1 entry: TypeBox 1.x schemas (package "typebox") as stream schemas, through typebox1().
export { typebox1, typebox1Validator, isTypeBox1Schema, type TypeBox1Schema, type TypeBox1Standard, type TypeBox1Options } from "./schema/typebox1.js";
