import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The secret kept in `file`, or undefined when there is none. The file is narrowed to its owner,
 * in case it was restored from a backup with looser permissions.
 */
export async function readSecret(file: string): Promise<string | undefined> {
  try {
    const value = (await readFile(file, 'utf8')).trim();
    await chmod(file, 0o600);
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Stores a new secret in `file`, readable by its owner only; never overwrites one. */
export async function writeNewSecret(file: string, value: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
}

/** The secret in `file`, made by `make` and stored on the first call. */
export async function readOrCreateSecret(file: string, make: () => string): Promise<string> {
  const existing = await readSecret(file);
  if (existing !== undefined) return existing;
  const value = make();
  await writeNewSecret(file, value);
  return value;
}
