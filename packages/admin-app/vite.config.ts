import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the gateway at /admin/; `vite` (dev) sends the API to a gateway on :8080.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
