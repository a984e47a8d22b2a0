import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file the router writes into its output directory; NGINX includes it. */
export const RENDERED_FILE = 'ocp-router.conf';

/** What became of one render. */
export type RenderOutcome = 'unchanged' | 'written' | 'reloaded' | 'reload_failed' | 'failed';

/** The rendered configuration on disk, and the NGINX that reads it. */
export interface NginxOutput {
  /**
   * Writes `text` when it differs from what the file holds (a temporary file renamed over it, so
   * NGINX never reads half a file), then asks NGINX to reload. Never throws: the outcome says.
   */
  apply(text: string): Promise<{ outcome: RenderOutcome; error?: unknown }>;
}

export function nginxOutput(opts: { dir: string; pidFile?: string | undefined }): NginxOutput {
  const path = join(opts.dir, RENDERED_FILE);
  let current: string | undefined;
  /** A reload that failed (NGINX not started yet, say) is tried again at the next render. */
  let reloadPending = false;

  async function written(): Promise<string | undefined> {
    if (current !== undefined) return current;
    return await readFile(path, 'utf8').catch(() => undefined);
  }

  /** SIGHUP to the master: it checks the new configuration and keeps the old one if it fails. */
  async function reload(): Promise<void> {
    if (!opts.pidFile) return;
    const text = await readFile(opts.pidFile, 'utf8');
    const pid = Number(text.trim());
    if (!Number.isSafeInteger(pid) || pid <= 1) throw new Error(`${opts.pidFile} holds no process id`);
    process.kill(pid, 'SIGHUP');
  }

  return {
    async apply(text) {
      try {
        if ((await written()) === text) {
          current = text;
          if (!reloadPending) return { outcome: 'unchanged' };
        } else {
          await mkdir(opts.dir, { recursive: true });
          const temp = join(opts.dir, `.${RENDERED_FILE}.${randomBytes(6).toString('hex')}.tmp`);
          try {
            await writeFile(temp, text, { mode: 0o644 });
            await rename(temp, path);
          } catch (err) {
            await rm(temp, { force: true });
            throw err;
          }
          current = text;
        }
      } catch (error) {
        current = undefined;
        return { outcome: 'failed', error };
      }
      if (!opts.pidFile) return { outcome: 'written' };
      try {
        await reload();
        reloadPending = false;
        return { outcome: 'reloaded' };
      } catch (error) {
        reloadPending = true;
        return { outcome: 'reload_failed', error };
      }
    },
  };
}
