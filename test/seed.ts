// The seed of this test run for fuzzing and property tests: FUZZ_SEED when given (to replay a failure), else a new one.
/**
 * A seed for this run, printed once per test file that asks for it, so that CI tries new inputs on every run and a
 * failure can be replayed: `FUZZ_SEED=1234 npx vitest run test/fuzz.test.ts`.
 *
 * ```ts
 * fc.assert(property, { seed: runSeed("test/properties.test.ts"), numRuns: 100 });
 * ```
 */
export function runSeed(file: string): number {
  const given = process.env.FUZZ_SEED;
  const seed = given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(given)}`);
  console.log(`${file}: seed ${seed} (replay with FUZZ_SEED=${seed} npx vitest run ${file})`);
  return seed;
}

/** The text an assertion carries so that its failure names the seed to replay it with. */
export const replayHint = (seed: number) => `seed ${seed}: replay with FUZZ_SEED=${seed}`;
