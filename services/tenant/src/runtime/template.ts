import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createOdooClient, OdooError } from '@ocp/odoo';
import { templateMark } from '../dbserver/admin.ts';
import type { HandlerContext } from '../handlers/context.ts';
import { removeFilestore } from '../odoo/filestore.ts';
import { generateAdminPassword } from '../odoo/passwords.ts';
import { masterPasswordOf, type RuntimeRow } from './registry.ts';

/** Attempts at one template before the runtime is marked failed (or, a rebuild, keeps its old one). */
export const TEMPLATE_MAX_ATTEMPTS = 3;

/** Odoo's own exception name and message, or the transport failure; never a password. */
export function describeOdooFailure(err: unknown): string {
  if (err instanceof OdooError) return `${err.name}: ${err.odooMessage}`;
  return err instanceof Error ? err.message : String(err);
}

/** Prepares runtimes' templates; `wake` starts a pass at once (after a registration or a rebuild). */
export interface TemplateBuilder {
  wake(): void;
  /** Stops after the current step, waiting at most `timeoutMs` (its lease hands the rest on). */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Starts the job that prepares runtimes' templates through the runtimes themselves. A runtime
 * whose `template_building` is set (a registration, or a rebuild) is claimed with a lease
 * (FOR UPDATE SKIP LOCKED; renewed while the work runs), so one replica builds it, and a dead
 * replica's work is taken up when its lease runs out. Passes run on `wake()` and every `pollMs`.
 */
export function startTemplateBuilder(ctx: HandlerContext, pollMs: number): TemplateBuilder {
  const me = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = ctx.config.TEMPLATE_LEASE_MS;
  const log = ctx.logger.child({ job: 'runtime templates' });
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  async function claim(): Promise<RuntimeRow | undefined> {
    const { rows } = await ctx.pool.query<RuntimeRow>(
      `UPDATE odoo_runtimes SET template_leased_by = $1,
              template_lease_expires_at = now() + make_interval(secs => $2::double precision / 1000),
              template_attempts = template_attempts + 1, updated_at = now()
        WHERE id = (SELECT id FROM odoo_runtimes
                     WHERE template_building IS NOT NULL AND state IN ('preparing', 'ready')
                       AND (template_lease_expires_at IS NULL OR template_lease_expires_at < now())
                     ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [me, leaseMs],
    );
    return rows[0];
  }

  async function build(row: RuntimeRow): Promise<void> {
    const name = row.template_building!;
    const rlog = log.child({ runtimeId: row.id, template: name, attempt: row.template_attempts });
    const renew = setInterval(
      () => {
        ctx.pool
          .query(
            `UPDATE odoo_runtimes SET template_lease_expires_at = now() + make_interval(secs => $3::double precision / 1000)
            WHERE id = $1 AND template_leased_by = $2`,
            [row.id, me, leaseMs],
          )
          .catch((err: unknown) => rlog.warn({ err }, 'could not renew the template lease'));
      },
      Math.max(500, Math.floor(leaseMs / 3)),
    );
    const step = (s: string) =>
      ctx.pool.query(
        'UPDATE odoo_runtimes SET template_step = $3, updated_at = now() WHERE id = $1 AND template_leased_by = $2',
        [row.id, me, s],
      );
    try {
      const admin = await ctx.servers.admin(row.database_server_id);
      const found = await admin.databaseInfo(name);
      // Null when an earlier attempt took the template over already: it accepts no connection.
      let modules: string[] | null = null;
      if (!(found?.is_template && found.comment === templateMark(row.id))) {
        if (found) {
          // An interrupted attempt's database (Odoo may still have been making it): start again.
          await step('dropping the database an interrupted attempt left');
          await admin.dropTemplateDatabase(name, row.db_role);
          await removeFilestore(row.filestore_path, name);
        }
        await step('creating the database through the runtime (db.create_database)');
        const odoo = createOdooClient({ url: row.rpc_url, timeoutMs: ctx.config.ODOO_RPC_TIMEOUT_MS });
        await odoo.db.create(
          masterPasswordOf(ctx.secrets, row),
          {
            name,
            demo: false,
            lang: 'en_US',
            // Each tenant gets its own administrator password; this one is never used.
            adminPassword: generateAdminPassword(32),
            adminLogin: 'admin',
            countryCode: null,
            phone: null,
          },
          { timeoutMs: ctx.config.ODOO_CREATE_TIMEOUT_MS },
        );
        // What this Odoo version offers, for plans that name modules (tenant.runtime.modules).
        modules = await admin.moduleNames(name);
        await step('taking the database over as the template');
        await admin.takeOverTemplate(name, row.id, row.db_role);
      }
      const { rows } = await ctx.pool.query<{ previous: string | null }>(
        `UPDATE odoo_runtimes n SET template_database = $3, template_modules = COALESCE($4, n.template_modules),
                template_building = NULL, template_step = 'ready',
                template_error = NULL, template_attempts = 0, template_leased_by = NULL,
                template_lease_expires_at = NULL, updated_at = now(),
                state = CASE WHEN n.state = 'preparing' THEN 'ready' ELSE n.state END
           FROM odoo_runtimes o WHERE n.id = o.id AND n.id = $1 AND n.template_leased_by = $2
         RETURNING o.template_database AS previous`,
        [row.id, me, name, modules],
      );
      if (rows.length === 0) {
        rlog.warn('the template was made after this replica lost its lease; the holder finishes it');
        return;
      }
      rlog.info('the runtime template is ready');
      const previous = rows[0]!.previous;
      if (previous && previous !== name) {
        // New tenants clone the new template from now on; the old one goes, with its files.
        try {
          await admin.dropTemplateDatabase(previous, row.db_role);
          await removeFilestore(row.filestore_path, previous);
        } catch (err) {
          rlog.warn({ err, previous }, 'could not drop the previous template; drop it by hand');
        }
      }
    } catch (err) {
      const message = describeOdooFailure(err).slice(0, 2000);
      const final = row.template_attempts >= TEMPLATE_MAX_ATTEMPTS;
      rlog.warn({ err: message, final }, 'preparing the runtime template failed');
      if (final) {
        await ctx.pool.query(
          `UPDATE odoo_runtimes SET template_error = $3, template_building = NULL, template_attempts = 0,
                  template_leased_by = NULL, template_lease_expires_at = NULL, updated_at = now(),
                  state = CASE WHEN template_database IS NULL AND state = 'preparing' THEN 'failed' ELSE state END
            WHERE id = $1 AND template_leased_by = $2`,
          [row.id, me, message],
        );
        try {
          const admin = await ctx.servers.admin(row.database_server_id);
          await admin.dropTemplateDatabase(name, row.db_role);
          await removeFilestore(row.filestore_path, name);
        } catch (e) {
          rlog.warn({ err: e }, 'could not drop what the failed template attempt left');
        }
      } else {
        // The lease's end is the next attempt's time: a short backoff, longer each attempt.
        await ctx.pool.query(
          `UPDATE odoo_runtimes SET template_error = $3, template_leased_by = NULL, updated_at = now(),
                  template_lease_expires_at = now() + make_interval(secs => $4::double precision)
            WHERE id = $1 AND template_leased_by = $2`,
          [row.id, me, message, row.template_attempts * 2],
        );
      }
    } finally {
      clearInterval(renew);
    }
  }

  const loop = (async () => {
    while (!stopping) {
      let worked = false;
      try {
        const row = await claim();
        if (row) {
          worked = true;
          await build(row);
        }
      } catch (err) {
        if (!stopping) log.error({ err }, 'the runtime template pass failed');
      }
      if (worked || stopping) continue;
      if (woken) {
        woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
      woken = false;
    }
  })();

  return {
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop(timeoutMs) {
      stopping = true;
      wakeUp?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([loop, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    },
  };
}
