/** Where `vite build` puts the web app: `index.html` and hashed files under `assets/`. */
export declare const adminAppDir: string;
