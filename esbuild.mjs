// Builds every bundle of the product: the extension host bundle (CommonJS, `vscode` external),
// the CLI (which also hosts the local engine), the webviews (browser) and the test bundles that
// run inside a real extension host. `node esbuild.mjs --watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** node-llama-cpp carries native binaries and is ESM: it is loaded at run time, never bundled. */
const nodeExternals = ['vscode', 'node-llama-cpp'];

const common = {
  bundle: true,
  // jsonc-parser's "main" is a UMD build whose dynamic requires esbuild cannot follow; its
  // "module" entry is plain ESM. Packages with an "exports" map are unaffected.
  mainFields: ['module', 'main'],
  sourcemap: true,
  minify: production,
  logLevel: 'info',
};

function listTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
}

const configs = [
  {
    ...common,
    // The statistics worker is its own file: the extension host starts it with worker_threads.
    entryPoints: { extension: 'src/extension/extension.ts', statsWorker: 'src/extension/bench/statsWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    banner: { js: '#!/usr/bin/env node' },
  },
];

const webviewDir = 'src/webview';
if (existsSync(webviewDir)) {
  const entries = readdirSync(webviewDir)
    .filter((d) => existsSync(path.join(webviewDir, d, 'main.ts')))
    .map((d) => [d, path.join(webviewDir, d, 'main.ts')]);
  if (entries.length > 0) {
    configs.push({
      ...common,
      entryPoints: Object.fromEntries(entries),
      outdir: 'dist/webview',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    });
  }
}

// Integration suites run inside the real extension host: one CommonJS bundle per suite plus the index.
const integrationTests = listTests('test/integration');
if (!production && existsSync('test/integration/index.ts')) {
  configs.push({
    ...common,
    entryPoints: ['test/integration/index.ts', ...integrationTests],
    outdir: 'out/integration',
    outbase: 'test/integration',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: [...nodeExternals, 'mocha'],
  });
}

if (watch) {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
}
