import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../../src/core/files/atomicWrite';
import { CheckpointWriter, readCheckpoint } from '../../../src/core/jobs/checkpoint';
import { useTempDir } from '../../support/tempDir';

const acceptKeyed = (value: unknown): { key: string } | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { key?: unknown }).key === 'string' ? (value as { key: string }) : undefined;

describe('checkpoint', () => {
  const dir = useTempDir('janus-checkpoint-');

  it('reads back what was appended, in order, also when appends race', async () => {
    const file = path.join(dir(), 'a', 'checkpoint.jsonl');
    const writer = new CheckpointWriter(file);
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append({ key: `k${i}`, text: 'x'.repeat(1000) })));
    const read = await readCheckpoint(file, acceptKeyed);
    assert.deepEqual(read.records.map((r) => r.key), Array.from({ length: 50 }, (_, i) => `k${i}`));
    assert.equal(read.skipped, 0);
  });

  it('skips a truncated last line from a crash and appends on a fresh line', async () => {
    const file = path.join(dir(), 'crash.jsonl');
    await writeFile(file, '{"key":"a"}\n{"key":"b"}\n{"key":"c","te');
    const read = await readCheckpoint(file, acceptKeyed);
    assert.deepEqual(read.records.map((r) => r.key), ['a', 'b']);
    assert.equal(read.skipped, 1);
    assert.equal(read.endsMidLine, true);
    const writer = new CheckpointWriter(file, read.endsMidLine);
    await writer.append({ key: 'c' });
    const again = await readCheckpoint(file, acceptKeyed);
    assert.deepEqual(again.records.map((r) => r.key), ['a', 'b', 'c']);
  });

  it('has each line in the file when append returns (no await), and says a full disk is full (ENOSPC)', async () => {
    const file = path.join(dir(), 'sync.jsonl');
    const writer = new CheckpointWriter(file);
    const n = 20_000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) writer.append({ key: `k${i}`, fingerprint: 'f'.repeat(32), result: { score: 3, feedback: 'fine' } });
    const perLineUs = Number(process.hrtime.bigint() - started) / 1000 / n;
    assert.equal(readFileSync(file, 'utf8').split('\n').length - 1, n, 'every line is in the file before any await');
    writer.close();
    console.log(`      synchronous append: ${perLineUs.toFixed(2)} µs per checkpoint line (${n} lines)`);
    // A real ENOSPC: /dev/full takes the open and refuses every write.
    const full = new CheckpointWriter('/dev/full');
    assert.throws(() => full.append({ key: 'x' }), (error: Error) => /^Cannot write \/dev\/full: the disk is full \(ENOSPC\)\. Free disk space/.test(error.message));
    full.close();
  });

  it('skips a line longer than the limit without reading it as a string, and reads the rest', async () => {
    const file = path.join(dir(), 'huge.jsonl');
    await writeFile(file, `{"key":"a"}\n{"key":"big","text":"${'x'.repeat(300_000)}"}\n{"key":"c"}\n`);
    const read = await readCheckpoint(file, acceptKeyed, 100_000);
    assert.deepEqual(read.records.map((r) => r.key), ['a', 'c']);
    assert.equal(read.skipped, 1);
  });

  it('treats a missing file as empty', async () => {
    const read = await readCheckpoint(path.join(dir(), 'none.jsonl'), acceptKeyed);
    assert.deepEqual(read, { records: [], skipped: 0, endsMidLine: false });
  });
});

describe('writeFileAtomic', () => {
  const dir = useTempDir('janus-atomic-');

  it('replaces the file and leaves no temp file behind', async () => {
    const file = path.join(dir(), 'out', 'evaluation.json');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, 'new');
    assert.equal(await readFile(file, 'utf8'), 'new');
    assert.deepEqual(await readdir(path.dirname(file)), ['evaluation.json']);
  });

  it('keeps the old file and cleans up when the write fails', async () => {
    const file = path.join(dir(), 'keep.json');
    await writeFileAtomic(file, 'old');
    // A directory where the target is makes the rename fail after the temp file was written.
    const target = path.join(dir(), 'isDir');
    await writeFileAtomic(path.join(target, 'x'), 'x');
    await assert.rejects(writeFileAtomic(target, 'new'));
    assert.deepEqual((await readdir(dir())).filter((f) => f.endsWith('.tmp')), []);
    assert.equal(await readFile(file, 'utf8'), 'old');
  });
});
