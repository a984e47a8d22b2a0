/** Shared parsing of benchmark options: whole numbers with a floor, and repeated `--env KEY=VALUE`. */

/** An integer of at least `min` from `raw`, else `fallback`; a bad value throws with the usage text. */
export function positiveInt(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  usage: string,
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer of at least ${min}, not ${JSON.stringify(raw)}\n${usage}`);
  return value;
}

/** `--env KEY=VALUE` pairs as an environment for a service under test. */
export function envPairs(pairs: readonly string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`--env wants KEY=VALUE, not ${JSON.stringify(pair)}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}
