// The cost of one checkpoint line: CheckpointWriter's synchronous append (the line is in the file
// when the call returns, so a SIGKILL cannot lose a paid reply) against the awaited async write per
// line it replaced (a hop to libuv's thread pool and back). Median of 5 rounds of 20,000 lines.
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CheckpointWriter } from '../src/core/jobs/checkpoint';
import { median, report } from './report';

const lines = 20_000;
const record = (i: number): unknown => ({ key: `0/${i}/0`, fingerprint: 'f'.repeat(32), result: { run: 0, id: String(i), rubricIndex: 0, score: 3, feedback: 'Feedback: fine.', reply: 'Feedback: fine. [RESULT] 3', attempts: 1 } });

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-ckpt-bench-'));
  try {
    const sync: number[] = [];
    const async: number[] = [];
    for (let round = 0; round < 5; round++) {
      const writer = new CheckpointWriter(path.join(dir, `sync${round}.jsonl`));
      let started = process.hrtime.bigint();
      for (let i = 0; i < lines; i++) writer.append(record(i));
      sync.push(Number(process.hrtime.bigint() - started) / 1000 / lines);
      writer.close();
      const handle = await open(path.join(dir, `async${round}.jsonl`), 'a');
      started = process.hrtime.bigint();
      for (let i = 0; i < lines; i++) await handle.write(`${JSON.stringify(record(i))}\n`);
      async.push(Number(process.hrtime.bigint() - started) / 1000 / lines);
      await handle.close();
    }
    report('checkpointAppend', [
      { metric: 'synchronous append, per line', value: median(sync), unit: 'µs' },
      { metric: 'awaited async write, per line', value: median(async), unit: 'µs' },
    ], { lines, rounds: 5 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
