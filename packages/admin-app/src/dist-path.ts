/**
 * Where `vite build` puts the web app: `index.html` and hashed files under `assets/`. The gateway
 * serves it from here. (`../dist/` is the same directory from this source file and from its
 * compiled copy in `dist/`.)
 */
export const adminAppDir: string = decodeURIComponent(new URL('../dist/', import.meta.url).pathname);
