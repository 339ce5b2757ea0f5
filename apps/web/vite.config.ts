import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is served by the server at `/` from dist/. In `pnpm dev` Vite proxies the
// API to a server on SERVER_URL (default http://127.0.0.1:3000).
const server = process.env.SERVER_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/trpc': server, '/api': server, '/healthz': server } },
});
