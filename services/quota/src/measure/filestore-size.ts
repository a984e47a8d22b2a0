import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Why a filestore could not be measured; `code` goes into the sample's error. */
export class FilestoreError extends Error {
  override name = 'FilestoreError';
  constructor(
    readonly code: 'FILESTORE_ROOT_MISSING' | 'FILESTORE_NOT_A_DIRECTORY' | 'FILESTORE_UNREADABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const gone = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * The bytes of the regular files under a tenant's filestore directory (`<root>/<database>`),
 * found with lstat: a symbolic link is never followed (it could point anywhere on the machine,
 * and would count someone else's files), nor counted itself. At most `concurrency` directories
 * are read at once, so one large filestore does not take every file descriptor of the process.
 *
 * A missing tenant directory under an existing root is 0 bytes: Odoo makes it on the first
 * attachment it stores, so a tenant that never stored one has none. A missing root is an error:
 * an unmounted share would otherwise read as an empty filestore and lift a quota it should not.
 * Files and directories that vanish during the walk (Odoo's attachment garbage collection) are
 * left out, as they are gone.
 */
export async function filestoreBytes(dir: string, concurrency = 8): Promise<number> {
  let top: Awaited<ReturnType<typeof lstat>>;
  try {
    top = await lstat(dir);
  } catch (e) {
    if (!gone(e))
      throw new FilestoreError('FILESTORE_UNREADABLE', `cannot read ${dir}: ${String(e)}`, { cause: e });
    const root = path.dirname(dir);
    const rootThere = await lstat(root).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!rootThere)
      throw new FilestoreError(
        'FILESTORE_ROOT_MISSING',
        `the filestore root ${root} is not there (is the shared filestore mounted?)`,
      );
    return 0;
  }
  if (!top.isDirectory())
    throw new FilestoreError(
      'FILESTORE_NOT_A_DIRECTORY',
      `${dir} is not a directory${top.isSymbolicLink() ? ' (a symbolic link, which is not followed)' : ''}`,
    );

  let total = 0;
  const pending: string[] = [dir];
  let busy = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const done = new Promise<void>((resolve) => {
    wake = resolve;
  });

  const readOne = async (d: string) => {
    let names: string[];
    try {
      names = await readdir(d);
    } catch (e) {
      if (gone(e)) return;
      throw e;
    }
    for (const name of names) {
      const p = path.join(d, name);
      const s = await lstat(p).catch((e: unknown) => {
        if (gone(e)) return undefined;
        throw e;
      });
      if (!s) continue;
      if (s.isFile()) total += s.size;
      else if (s.isDirectory()) pending.push(p);
      // Links, sockets, fifos and devices hold no attachment.
    }
  };

  const pump = () => {
    while (!failure && busy < concurrency && pending.length > 0) {
      const d = pending.pop()!;
      busy++;
      readOne(d).then(
        () => {
          busy--;
          pump();
        },
        (e: unknown) => {
          busy--;
          failure ??= e;
          pump();
        },
      );
    }
    if (busy === 0 && (failure || pending.length === 0)) wake?.();
  };
  pump();
  await done;
  if (failure)
    throw new FilestoreError('FILESTORE_UNREADABLE', `cannot read ${dir}: ${String(failure)}`, {
      cause: failure,
    });
  return total;
}
