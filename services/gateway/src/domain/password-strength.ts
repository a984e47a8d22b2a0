import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

/**
 * The lowest zxcvbn score a password may have: 3 is "safely unguessable: moderate protection from
 * an offline slow-hash scenario" (about 10^8 guesses and more), which scrypt makes slow.
 */
export const MIN_PASSWORD_SCORE = 3;

/** Made once: loading the dictionaries takes a moment and they never change. */
const estimator = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
});

export type PasswordVerdict = { ok: true } | { ok: false; why: string };

/**
 * Whether a password is strong enough, and if not, why, in the estimator's own words (its warning
 * and suggestions). `related` are words a guesser would try first for this account (its email).
 */
export function judgePassword(password: string, related: readonly string[] = []): PasswordVerdict {
  const inputs = related.flatMap((r) => [r, ...r.split(/[@.+_-]/).filter((w) => w.length >= 3)]);
  const result = estimator.check(password, inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return { ok: true };
  const words = [result.feedback.warning, ...result.feedback.suggestions].filter(
    (w): w is string => typeof w === 'string' && w.length > 0,
  );
  const because = words.length > 0 ? words.join(' ') : 'It is easy to guess.';
  return {
    ok: false,
    why: `is too easy to guess (strength ${result.score} of 4, at least ${MIN_PASSWORD_SCORE} is needed): ${because}`,
  };
}
