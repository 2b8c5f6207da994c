// What the shipped bundles carry. `import { z } from 'zod'` (the whole namespace as one value) makes
// esbuild keep every zod locale, which tripled the persona webview and doubled the extension bundle;
// `import * as z from 'zod'` lets it drop what is unused. This builds the real entry points in memory.
import assert from 'node:assert/strict';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '../..');

async function bundledInputs(entry: string, platform: 'node' | 'browser'): Promise<string[]> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    minify: true,
    platform,
    format: platform === 'node' ? 'cjs' : 'iife',
    mainFields: ['module', 'main'],
    external: ['vscode', 'node-llama-cpp'],
    outdir: 'out/bundle-check',
    logLevel: 'silent',
  });
  // Inputs that put bytes into the output: tree-shaken modules stay listed with none.
  const kept = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) if (bytesInOutput > 0) kept.add(input);
  }
  return [...kept];
}

describe('bundles', function () {
  this.timeout(60_000);
  const entries: [string, 'node' | 'browser'][] = [
    ['src/extension/extension.ts', 'node'],
    ['src/cli/main.ts', 'node'],
    ['src/webview/personaEditor/main.ts', 'browser'],
    ['src/webview/candidates/main.ts', 'browser'],
  ];
  for (const [entry, platform] of entries) {
    it(`${entry} carries no zod locale but English`, async () => {
      const inputs = await bundledInputs(entry, platform);
      assert.ok(inputs.some((f) => f.includes('node_modules/zod/')), 'zod is not in the bundle at all: the check would prove nothing');
      const locales = inputs.filter((f) => /node_modules\/zod\/v4\/locales\/(?!(en|index)\.js$)/.test(f));
      assert.deepEqual(locales, [], 'a module imports the named `z` export; use `import * as z from "zod"`');
    });
  }
});
