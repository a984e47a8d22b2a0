/**
 * A token bucket: holds at most `capacity` tokens, gains `capacity` of them per `periodMs` evenly,
 * and starts full, so a burst of `capacity` passes at once and a steady flow at the rate.
 */
export interface TokenBucket {
  /** Takes a token when there is one. */
  take(): boolean;
}

export function tokenBucket(opts: { capacity: number; periodMs: number; now?: () => number }): TokenBucket {
  const now = opts.now ?? Date.now;
  const perMs = opts.capacity / opts.periodMs;
  let tokens = opts.capacity;
  let at = now();
  return {
    take() {
      const t = now();
      tokens = Math.min(opts.capacity, tokens + (t - at) * perMs);
      at = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
