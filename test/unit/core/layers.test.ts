import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const coreDir = path.resolve(__dirname, '../../../src/core');

function sourceFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^|\s)(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (spec !== undefined) found.push(spec);
  }
  return found;
}

describe('layers (STYLE.md)', () => {
  const files = sourceFiles(coreDir);

  it('finds the core sources', () => {
    assert.ok(files.length > 10, `only ${files.length} files under src/core`);
  });

  it('core never imports vscode', () => {
    const offenders = files.filter((f) => specifiers(f).some((s) => s === 'vscode' || s.startsWith('vscode/')));
    assert.deepEqual(offenders.map((f) => path.relative(coreDir, f)), []);
  });

  it('core never imports the extension, the webviews or the engine', () => {
    const offenders = files.filter((f) =>
      specifiers(f).some((s) => s.startsWith('.') && /^src\/(extension|webview|engine|cli)\//.test(path.relative(path.resolve(coreDir, '../..'), path.resolve(path.dirname(f), s)))),
    );
    assert.deepEqual(offenders.map((f) => path.relative(coreDir, f)), []);
  });
});
