import { defineConfig } from 'vite';

/** The admin console: plain TypeScript and the DOM, no UI framework. */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
