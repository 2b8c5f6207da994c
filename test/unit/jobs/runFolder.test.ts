import assert from 'node:assert/strict';
import path from 'node:path';
import { newRunId, runFolder } from '../../../src/core/jobs/runFolder';

describe('run folders', () => {
  it('puts each run under .janus/runs/<id> with a shared cache', () => {
    const id = newRunId('evaluate', new Date('2026-11-23T20:14:05.123Z'));
    assert.equal(id, '2026-11-23T20-14-05-123Z-evaluate');
    const folder = runFolder('/ws', id, 'evaluation.json');
    assert.equal(folder.checkpoint, path.join('/ws', '.janus', 'runs', id, 'checkpoint.jsonl'));
    assert.equal(folder.output, path.join('/ws', '.janus', 'runs', id, 'evaluation.json'));
    assert.equal(folder.cache, path.join('/ws', '.janus', 'cache', 'calls.jsonl'));
  });

  it('refuses ids that would leave the runs folder', () => {
    assert.throws(() => runFolder('/ws', '../x', 'e.json'));
    assert.throws(() => runFolder('/ws', '..', 'e.json'));
  });
});
