import type { RpcClient } from '@ocp/bus';
import { UUID_PATTERN } from '@ocp/contracts';
import type { Logger } from '@ocp/service-kit';

const UUID_RE = new RegExp(UUID_PATTERN.source, 'i');

/** Names a tenant by its slug, which operators know better than its id. */
export interface TenantNames {
  /** The slug, or undefined when the tenant service does not say in time (the id is used then). */
  slugOf(tenantId: string): Promise<string | undefined>;
}

/**
 * Asks the tenant service (`tenant.get.v1`) and keeps each answer a while: a burst of failures of
 * one tenant asks once. A rename shows after `ttlMs`.
 */
export function tenantNames(
  rpc: RpcClient,
  logger: Logger,
  opts: { timeoutMs: number; ttlMs: number; max: number },
): TenantNames {
  const known = new Map<string, { slug: string; until: number }>();
  return {
    async slugOf(tenantId) {
      // An alert may name its tenant by slug already.
      if (!UUID_RE.test(tenantId)) return tenantId;
      const hit = known.get(tenantId);
      if (hit && hit.until > Date.now()) return hit.slug;
      try {
        const { tenant } = await rpc.request('tenant.get.v1', { tenantId }, { timeoutMs: opts.timeoutMs });
        if (known.size >= opts.max) known.delete(known.keys().next().value as string);
        known.set(tenantId, { slug: tenant.slug, until: Date.now() + opts.ttlMs });
        return tenant.slug;
      } catch (err) {
        // A deleted tenant, or the tenant service busy: the message names the id instead.
        logger.debug({ err, tenantId }, 'tenant slug unknown; naming the tenant by its id');
        return undefined;
      }
    },
  };
}
