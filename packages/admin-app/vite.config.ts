import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the gateway at /admin/; `vite` (dev) sends the API to a gateway on :8080.
export default defineConfig(({ mode }) => ({
  base: '/admin/',
  plugins: [react()],
  resolve: {
    // Not Vite's `production` condition: under it the workspace packages (@ocp/api-client) resolve
    // to their Node build in dist/, which may be missing or stale; their default is the TypeScript
    // source, which Vite bundles. Libraries' default entries are their production builds.
    conditions: mode === 'development' ? ['module', 'browser', 'development'] : ['module', 'browser'],
  },
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
}));
