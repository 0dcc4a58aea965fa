/// <reference types="vitest" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The UI is served by `docgen serve` under /ui/ with a strict CSP (no inline
// scripts or styles, no CDNs): everything is emitted as hashed files.
// (No @types/node: only this one variable is read.)
declare const process: { env: Record<string, string | undefined> };
// `npm run dev` proxies the API to a local `docgen serve` (override with DOCGEN_API).
const target = process.env.DOCGEN_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/ui/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // The shell is small; CodeMirror, pdf.js and rjsf are split off by the
    // dynamic imports in src/components/*.tsx and loaded when first needed.
    chunkSizeWarningLimit: 1200,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    port: 5173,
    // The examples (src/examples.ts) live outside web/.
    fs: { allow: ['.', '../examples/quotes', '../examples/expected', '../examples/validate'] },
    proxy: {
      '/v1': { target, changeOrigin: false },
      '/healthz': { target },
      '/readyz': { target },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    benchmark: { include: ['src/**/*.bench.ts'] },
  },
});
