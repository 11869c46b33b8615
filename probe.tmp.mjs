import * as z from "zod";
const s = z.string().min(3);
console.log("😀x".length, s.safeParse("😀x").success, s.safeParse("abc").success, JSON.stringify(s._zod.def.checks.map(c=>c._zod.def)));
console.log(z.string().max(2).safeParse("😀x").success);
