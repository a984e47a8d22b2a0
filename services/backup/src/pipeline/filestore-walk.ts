import { opendir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The regular files under `root`, as posix paths relative to it, each directory's names in byte
 * order so that a backup's filestore digest does not depend on the file system. Symbolic links
 * are neither followed nor stored: a link could point anywhere on the machine.
 */
export async function* walkFilestore(root: string): AsyncGenerator<{ path: string; absolute: string }> {
  async function* walk(dir: string, rel: string): AsyncGenerator<{ path: string; absolute: string }> {
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Gone since it was listed (Odoo's garbage collection), or no filestore at all.
      if (code === 'ENOENT' || (code === 'ENOTDIR' && rel !== '')) return;
      throw err;
    }
    const entries: Array<{ name: string; dir: boolean }> = [];
    // Dirent types come from lstat: a link to a directory is a link, not a directory.
    for await (const d of handle)
      if (d.isFile() || d.isDirectory()) entries.push({ name: d.name, dir: d.isDirectory() });
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    for (const e of entries) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.dir) yield* walk(join(dir, e.name), path);
      else yield { path, absolute: join(dir, e.name) };
    }
  }
  yield* walk(root, '');
}
