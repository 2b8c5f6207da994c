import assert from 'node:assert/strict';
import type { BestOfNEvent } from '../../../src/core/bestOfN/events';
import { applyBestOfNEvent, initialBestOfNState } from '../../../src/core/bestOfN/runState';
import type { PreferenceSession } from '../../../src/core/export/preferencePairs';
import { dpoRows, preferenceSessionSchema, sessionEntryFromRun, sftRows, toJsonl } from '../../../src/core/export/preferencePairs';

const session: PreferenceSession = {
  entries: [
    {
      system: 'You are terse.',
      prompt: 'Say hi.',
      candidates: [
        { text: 'Hi.', reward: 1.5, mark: 'chosen' },
        { text: 'Hello there, friend!', reward: -0.5, mark: 'rejected' },
        { text: 'Hey', reward: 0.2 },
        { text: 'Greetings.', mark: 'rejected' },
      ],
    },
    { system: 'You are warm.', prompt: 'Say bye.', candidates: [{ text: 'Bye!', mark: 'chosen' }] },
  ],
};

describe('preference export', () => {
  it('DPO rows: every chosen x rejected pair with both rewards, null for an unscored one', () => {
    assert.deepEqual(dpoRows(session), [
      { system: 'You are terse.', prompt: 'Say hi.', chosen: 'Hi.', rejected: 'Hello there, friend!', chosen_reward: 1.5, rejected_reward: -0.5 },
      { system: 'You are terse.', prompt: 'Say hi.', chosen: 'Hi.', rejected: 'Greetings.', chosen_reward: 1.5, rejected_reward: null },
    ]);
  });

  it('rejectUnmarked pairs the chosen one with the unmarked candidates too', () => {
    assert.deepEqual(dpoRows(session, { rejectUnmarked: true }).map((r) => r.rejected), ['Hello there, friend!', 'Hey', 'Greetings.']);
  });

  it('no pair of identical texts, and no pairs without both marks', () => {
    const same: PreferenceSession = { entries: [{ system: '', prompt: 'p', candidates: [{ text: 'x', mark: 'chosen' }, { text: 'x', mark: 'rejected' }, { text: 'y' }] }] };
    assert.deepEqual(dpoRows(same), []);
    assert.deepEqual(dpoRows({ entries: [{ system: '', prompt: 'p', candidates: [{ text: 'a', mark: 'rejected' }] }] }), []);
  });

  it('SFT rows: the chosen answers in the Multifaceted Collection shape', () => {
    assert.deepEqual(sftRows(session), [
      { system: 'You are terse.', prompt: 'Say hi.', output: 'Hi.' },
      { system: 'You are warm.', prompt: 'Say bye.', output: 'Bye!' },
    ]);
  });

  it('JSONL: one object a line with exactly these keys in this order, newlines in text escaped', () => {
    const text = toJsonl(dpoRows({ entries: [{ system: 's', prompt: 'line1\nline2', candidates: [{ text: 'a\n', reward: 1, mark: 'chosen' }, { text: 'b', reward: 0, mark: 'rejected' }] }] }));
    assert.equal(text, '{"system":"s","prompt":"line1\\nline2","chosen":"a\\n","rejected":"b","chosen_reward":1,"rejected_reward":0}\n');
    assert.equal(toJsonl([]), '');
    const lines = toJsonl(sftRows(session)).split('\n');
    assert.equal(lines.length, 3);
    assert.deepEqual(Object.keys(JSON.parse(lines[0] ?? '') as object), ['system', 'prompt', 'output']);
  });

  it('a session from a webview is parsed: bad marks and non-finite rewards are rejected', () => {
    assert.equal(preferenceSessionSchema.safeParse(session).success, true);
    assert.equal(preferenceSessionSchema.safeParse({ entries: [{ system: '', prompt: '', candidates: [{ text: 'a', mark: 'best' }] }] }).success, false);
    assert.equal(preferenceSessionSchema.safeParse({ entries: [{ system: '', prompt: '', candidates: [{ text: 'a', reward: Infinity }] }] }).success, false);
  });

  it('a session entry from a run keeps finished candidates and only real rewards', () => {
    const events: BestOfNEvent[] = [
      { runId: 'r', seq: 0, type: 'started', n: 3, strategy: 'parallel', seed: 1, scorer: undefined },
      { runId: 'r', seq: 1, type: 'candidateDone', index: 0, text: 'A', finishReason: 'stop', tokens: 1 },
      { runId: 'r', seq: 2, type: 'candidateDone', index: 1, text: 'B', finishReason: 'stop', tokens: 1 },
      { runId: 'r', seq: 3, type: 'candidateStopped', index: 2, text: 'C par' },
      { runId: 'r', seq: 4, type: 'scored', index: 1, reward: 0.5 },
    ];
    const state = events.reduce(applyBestOfNEvent, initialBestOfNState());
    assert.deepEqual(sessionEntryFromRun(state, { system: 's', prompt: 'p' }), { system: 's', prompt: 'p', candidates: [{ text: 'A' }, { text: 'B', reward: 0.5 }] });
  });
});
