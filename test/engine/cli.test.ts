// `janus serve` as a user meets it: clear one-line errors for bad input, a clean exit on signals.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';

describe('janus serve: start and stop', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-cli-'));

  it('fails with one line when the model file is missing', async () => {
    const missing = path.join(dir, 'nope.gguf');
    const run = await runCli(['serve', '--model', missing, '--port', '0']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /model file not found: .*nope\.gguf/);
  });

  it('fails with one line when the model file is corrupt', async () => {
    const corrupt = path.join(dir, 'corrupt.gguf');
    writeFileSync(corrupt, Buffer.concat([Buffer.from('GGUF'), randomBytes(4096)]));
    const run = await runCli(['serve', '--model', corrupt, '--port', '0', '--threads', '1']);
    assert.notEqual(run.code, 0);
    const lines = run.stderr.trim().split('\n').filter((l) => l.startsWith('janus serve:'));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0] ?? '', /could not load .*corrupt\.gguf/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });

  it('rejects a bad option value with the usage', async () => {
    const run = await runCli(['serve', '--model', 'x.gguf', '--parallel', 'zero']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--parallel must be an integer/);
  });

  it('binds to loopback by default and exits 0 on SIGINT', async () => {
    const tiny = await getTinyModel();
    const engine = await startEngine(['--model', tiny.modelPath, '--quiet']);
    assert.match(engine.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    engine.process.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => engine.process.once('exit', resolve));
    assert.equal(code, 0);
    assert.match(engine.output(), /stopping the engine/);
  });

  it('says so when the port is taken', async () => {
    const tiny = await getTinyModel();
    const engine = await startEngine(['--model', tiny.modelPath, '--quiet']);
    try {
      const port = new URL(engine.url).port;
      const run = await runCli(['serve', '--model', tiny.modelPath, '--port', port]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`port ${port} .* already in use`));
    } finally {
      await engine.stop();
    }
  });
});
