/** Dates and sizes as an operator reads them. */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatDate = (iso: string | null | undefined): string =>
  iso ? dateTime.format(new Date(iso)) : '—';

const units = ['B', 'KB', 'MB', 'GB', 'TB'];
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
}

/** How long ago, in words: "3 min ago". */
export function ago(iso: string | null | undefined): string {
  if (!iso) return '—';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** `tenant.module_install` → "Module install". */
export function kindLabel(kind: string): string {
  const [, what = kind] = kind.split('.');
  const text = what.replace(/_/g, ' ');
  const label = kind.startsWith('backup.') && what === 'run' ? 'backup' : text;
  return label.charAt(0).toUpperCase() + label.slice(1);
}
