/**
 * Copies the files under `src/` that the code reads at run time (SQL migrations, templates) to the
 * same place under `dist/`, so the built code finds them beside itself as the source does.
 * Run from a package's directory after `tsc -p tsconfig.build.json`.
 */
import { cpSync, statSync } from 'node:fs';

const compiled = /\.(ts|tsx|mts|cts)$/;
cpSync('src', 'dist', {
  recursive: true,
  filter: (path) => statSync(path).isDirectory() || !compiled.test(path),
});
