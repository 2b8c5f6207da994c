import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RewardHead } from '../../../src/engine/rewardHead';
import {
  RewardHeadError,
  encodeRewardHead,
  parseRewardHead,
  rawRewardFromHidden,
  readRewardHead,
  rewardFromHidden,
  writeRewardHead,
} from '../../../src/engine/rewardHead';
import { useTempDir } from '../../support/tempDir';

const head: RewardHead = {
  hiddenSize: 4,
  // Values that are not exact in float32 (0.1) must still round-trip bit for bit.
  weight: Float32Array.from([0.1, -2, 3.5, 1e-7]),
  mean: 0.5,
  std: 2,
  source: 'unit test',
};

describe('reward head file', () => {
  const tempDir = useTempDir('janus-head-');
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  it('round-trips weights bit for bit, with mean, std and source', async () => {
    const file = path.join(dir, 'head.json');
    await writeRewardHead(file, head);
    const back = await readRewardHead(file);
    assert.deepEqual(back, head);
    const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    assert.equal(json['format'], 'janus-reward-head');
    assert.equal(json['version'], 1);
    assert.equal(json['hidden_size'], 4);
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');
  });

  it('reads a head without normalisation', () => {
    const plain: RewardHead = { hiddenSize: 2, weight: Float32Array.from([1, 2]) };
    const back = parseRewardHead(encodeRewardHead(plain), 'plain.json');
    assert.deepEqual(back, plain);
    assert.equal(rewardFromHidden(back, [3, 4]), 11);
  });

  it('computes dot(weight, h) and normalises with (r - mean) / std', () => {
    const h = [1, 1, 2, 0];
    const raw = Math.fround(0.1) - 2 + 7;
    assert.ok(Math.abs(rawRewardFromHidden(head, h) - raw) < 1e-12);
    assert.ok(Math.abs(rewardFromHidden(head, h) - (raw - 0.5) / 2) < 1e-12);
  });

  it('refuses a hidden state of another size, naming both sizes', () => {
    assert.throws(() => rewardFromHidden(head, [1, 2, 3]), /hidden size is 3 but the reward head expects 4/);
  });

  it('rejects broken files with the path, the problem and what to do', async () => {
    const cases: [string, string, RegExp][] = [
      ['not-json.json', '{oops', /not-json\.json: not a reward head file \(invalid JSON/],
      ['wrong-format.json', JSON.stringify({ format: 'x', version: 1, hidden_size: 1, weight: 'AACAPw==' }), /format must be "janus-reward-head"/],
      ['wrong-version.json', JSON.stringify({ format: 'janus-reward-head', version: 9, hidden_size: 1, weight: 'AACAPw==' }), /version must be 1/],
      ['short.json', JSON.stringify({ format: 'janus-reward-head', version: 1, hidden_size: 2, weight: 'AACAPw==' }), /weight holds 4 bytes but hidden_size 2 needs 8/],
      ['half-norm.json', JSON.stringify({ format: 'janus-reward-head', version: 1, hidden_size: 1, weight: 'AACAPw==', mean: 1 }), /mean and std must be given together/],
      ['zero-std.json', JSON.stringify({ format: 'janus-reward-head', version: 1, hidden_size: 1, weight: 'AACAPw==', mean: 1, std: 0 }), /std must be greater than 0/],
      ['nan.json', JSON.stringify({ format: 'janus-reward-head', version: 1, hidden_size: 1, weight: 'AADAfw==' }), /NaN or infinite/],
    ];
    for (const [name, text, pattern] of cases) {
      const file = path.join(dir, name);
      await writeFile(file, text);
      await assert.rejects(readRewardHead(file), (error: Error) => {
        assert.ok(error instanceof RewardHeadError, `${name}: ${String(error)}`);
        assert.match(error.message, pattern);
        assert.ok(error.message.includes(file), `${name}: message names the file`);
        assert.match(error.message, /janus convert-rm/, `${name}: message says what to do`);
        return true;
      });
    }
    await assert.rejects(readRewardHead(path.join(dir, 'missing.json')), /missing\.json: file not found\. Pass the path/);
  });
});
