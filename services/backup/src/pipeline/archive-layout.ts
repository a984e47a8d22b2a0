/** Names inside a backup's tar archive, shared by the writer and the reader. */

/** The pg_dump output is cut into entries of this size at most: tar needs each size up front. */
export const DUMP_PART_BYTES = 8 * 1024 * 1024;
export const MANIFEST_ENTRY = 'manifest.json';
export const FILESTORE_PREFIX = 'filestore/';

export const dumpPartName = (index: number): string => `database/${String(index).padStart(6, '0')}`;

/** The part's index, or null when `name` is not a database part. */
export function dumpPartIndex(name: string): number | null {
  const m = /^database\/(\d{6,})$/.exec(name);
  return m?.[1] ? Number(m[1]) : null;
}

/**
 * A filestore path is relative, posix, and has no empty, '.' or '..' segment, so that writing it
 * under a directory cannot leave that directory.
 */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}
