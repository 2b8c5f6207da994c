import assert from 'node:assert/strict';
import { defaultSettings } from '../../../src/core/settings';
import { chooseRewardKind, localEngineCandidates, pointsAtLocalEngine } from '../../../src/extension/rewardKind';

const base = defaultSettings();

describe('janus.reward.kind', () => {
  it('auto: a loopback reward URL on the generator\'s or the engine\'s port is the local engine only when it has a reward model', () => {
    const rm = { withRewardModel: ['http://127.0.0.1:8011'] };
    assert.deepEqual(chooseRewardKind({ ...base, 'reward.baseUrl': 'http://127.0.0.1:8011/v1' }, rm), { kind: 'local' });
    assert.deepEqual(chooseRewardKind({ ...base, 'generator.baseUrl': 'http://localhost:9000/v1', 'reward.baseUrl': 'http://127.0.0.1:9000' }, { withRewardModel: ['http://localhost:9000'] }), { kind: 'local' });
    assert.deepEqual(
      chooseRewardKind({ ...base, 'generator.baseUrl': 'https://api.example/v1', 'reward.baseUrl': 'http://127.0.0.1:5555' }, { runningPort: 5555, withRewardModel: ['http://127.0.0.1:5555'] }),
      { kind: 'local' },
    );
    // The same engine without a reward model: the next choice (judge, else nothing), never its generator.
    assert.deepEqual(chooseRewardKind({ ...base, 'reward.baseUrl': 'http://127.0.0.1:8011/v1' }), { kind: 'none' });
    assert.deepEqual(chooseRewardKind({ ...base, 'reward.baseUrl': 'http://127.0.0.1:8011/v1', 'judge.baseUrl': 'https://j/v1' }, { withRewardModel: [] }), { kind: 'judge' });
  });

  it('auto without a reward URL: a local engine with a reward model scores, at its own URL', () => {
    assert.deepEqual(chooseRewardKind({ ...base, 'judge.baseUrl': 'https://j/v1' }, { withRewardModel: ['http://127.0.0.1:8011'] }), { kind: 'local', baseUrl: 'http://127.0.0.1:8011' });
    assert.deepEqual(
      localEngineCandidates({ 'generator.baseUrl': 'http://127.0.0.1:8011/v1', 'reward.baseUrl': 'http://rm.internal:5000' }, 'http://127.0.0.1:8011/v1'),
      ['http://127.0.0.1:8011'],
    );
    assert.deepEqual(localEngineCandidates({ 'generator.baseUrl': 'https://api.example/v1', 'reward.baseUrl': '' }, undefined), []);
  });

  it('auto: any other reward URL is an OpenRLHF-style server, whatever the judge', () => {
    assert.deepEqual(chooseRewardKind({ ...base, 'reward.baseUrl': 'http://rm.internal:5000', 'judge.baseUrl': 'https://api.openai.com/v1' }), { kind: 'openrlhf' });
    assert.deepEqual(chooseRewardKind({ ...base, 'reward.baseUrl': 'http://127.0.0.1:5000' }), { kind: 'openrlhf' });
  });

  it('auto without a reward URL: the judge fallback when a judge is set, else nothing', () => {
    assert.deepEqual(chooseRewardKind({ ...base, 'judge.baseUrl': 'https://api.openai.com/v1' }), { kind: 'judge' });
    assert.deepEqual(chooseRewardKind(base), { kind: 'none' });
  });

  it('an explicit kind is kept, and one without its URL says what to set', () => {
    assert.deepEqual(chooseRewardKind({ ...base, 'reward.kind': 'vllm', 'reward.baseUrl': 'http://127.0.0.1:8011' }), { kind: 'vllm' });
    assert.match(chooseRewardKind({ ...base, 'reward.kind': 'openrlhf' }).problem ?? '', /janus\.reward\.baseUrl is empty/);
    assert.match(chooseRewardKind({ ...base, 'reward.kind': 'judge', 'reward.baseUrl': 'http://rm:1' }).problem ?? '', /janus\.judge\.baseUrl is empty/);
    assert.deepEqual(chooseRewardKind({ ...base, 'reward.kind': 'judge', 'judge.baseUrl': 'https://j/v1' }), { kind: 'judge' });
  });

  it('only loopback hosts count as the local engine', () => {
    assert.equal(pointsAtLocalEngine('http://10.0.0.2:8011', 'http://10.0.0.2:8011/v1', 8011), false);
    assert.equal(pointsAtLocalEngine('not a url', 'http://127.0.0.1:8011/v1', 8011), false);
    assert.equal(pointsAtLocalEngine('http://[::1]:8011', 'http://127.0.0.1:1/v1', 8011), true);
  });
});
