import { fileURLToPath } from 'node:url';

/** Where `vite build` puts the web app: `index.html` and hashed files under `assets/`. */
export const adminAppDir = fileURLToPath(new URL('./dist/', import.meta.url));
