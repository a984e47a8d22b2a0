/** What a plan does at 100 %: refuse module installs, or suspend after a grace period as well. */
export interface AtLimit {
  action: 'block' | 'suspend';
  graceSeconds: number;
}

/** A tenant's enforcement as the quota service keeps it. */
export interface EnforcementState {
  installsBlocked: boolean;
  /** Access revoked for reason `quota` (the tenant service suspends it). */
  accessRevoked: boolean;
  /** When the tenant went over a limit; null while it is under all of them. */
  exceededSince: Date | null;
}

export const initialEnforcement = (): EnforcementState => ({
  installsBlocked: false,
  accessRevoked: false,
  exceededSince: null,
});

/** The decisions to announce: each only when it changes. */
export interface EnforcementChange {
  state: EnforcementState;
  installsBlocked?: boolean;
  access?: 'revoked' | 'granted';
  /** When a tenant over its limits on a `suspend` plan loses access, if it has not yet. */
  graceEndsAt: Date | null;
}

/**
 * The enforcement after an evaluation. Installs are blocked while any figure is exceeded, under
 * either action (suspension without a block would let a tenant grow during its grace period).
 * Under `suspend`, access is revoked once the tenant has been over a limit for `graceSeconds`, and
 * granted again as soon as it is back under all of them; a plan that moves to `block` (or whose
 * tenant leaves it) grants access back, since nothing revokes it any more.
 */
export function decideEnforcement(
  atLimit: AtLimit,
  exceeded: boolean,
  before: EnforcementState,
  now: Date,
): EnforcementChange {
  const exceededSince = exceeded ? (before.exceededSince ?? now) : null;
  const graceEnd =
    exceededSince && atLimit.action === 'suspend'
      ? new Date(exceededSince.getTime() + atLimit.graceSeconds * 1000)
      : null;
  const revoke = graceEnd !== null && now.getTime() >= graceEnd.getTime();
  const state: EnforcementState = { installsBlocked: exceeded, accessRevoked: revoke, exceededSince };
  const change: EnforcementChange = { state, graceEndsAt: graceEnd && !revoke ? graceEnd : null };
  if (state.installsBlocked !== before.installsBlocked) change.installsBlocked = state.installsBlocked;
  if (state.accessRevoked !== before.accessRevoked)
    change.access = state.accessRevoked ? 'revoked' : 'granted';
  return change;
}
