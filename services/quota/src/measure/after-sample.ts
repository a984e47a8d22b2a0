import type { UsageSample } from '@ocp/contracts';
import type { PoolClient } from '@ocp/db';

/**
 * The one point where a recorded sample is handed on: threshold crossings and enforcement
 * (`services/quota/src/enforce`) hook in here. It runs in the transaction that records the
 * sample, so a crossing's events (through the outbox) commit with the sample or not at all.
 */
export async function afterSample(_client: PoolClient, _sample: UsageSample): Promise<void> {}
