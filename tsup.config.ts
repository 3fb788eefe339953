import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The core and the server: separate entry points, so that importing the core loads no
    // runtime dependency (the server's Connect and protobuf packages stay external).
    entry: { index: 'src/index.ts', server: 'src/server/index.ts', parallel: 'src/parallel/index.ts' },
    // Declarations with Node's types: the server's need them; the core is checked without them (tsconfig.json).
    tsconfig: 'tsconfig.build.json',
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // `import.meta.url` in the CommonJS build too: the parallel simulation finds its worker by it.
    shims: true,
  },
  {
    // The worker sits beside the bundles that start it (dist/parallel.js, .cjs and dist/cli.js).
    entry: { cli: 'src/cli/bin.ts', 'simulate-worker': 'src/parallel/worker.ts' },
    format: ['esm'],
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: true,
    target: 'node20',
  },
]);
