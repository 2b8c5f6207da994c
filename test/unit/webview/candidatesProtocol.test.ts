import assert from 'node:assert/strict';
import type { BestOfNEvent } from '../../../src/core/bestOfN/events';
import { applyGroupEvent, newSession, toCoreEvent } from '../../../src/webview/candidates/model';
import { hostMessageSchema, panelStateSchema, webviewMessageSchema } from '../../../src/webview/candidates/protocol';

const scorer = { kind: 'openrlhf', isRewardModel: true, description: 'http://rm:5000 (OpenRLHF reward server)' } as const;

/** One of every core event type, as the core emits them (explicit undefineds included). */
const everyEvent: BestOfNEvent[] = [
  { runId: 'r', seq: 0, type: 'started', n: 2, strategy: 'n', seed: 5, scorer },
  { runId: 'r', seq: 1, type: 'started', n: 2, strategy: 'parallel', seed: 5, scorer: undefined },
  { runId: 'r', seq: 2, type: 'candidateDelta', index: 0, text: 'a' },
  { runId: 'r', seq: 3, type: 'candidateDone', index: 0, text: 'ab', finishReason: null, tokens: undefined },
  { runId: 'r', seq: 4, type: 'candidateDone', index: 1, text: 'cd', finishReason: 'stop', tokens: 3 },
  { runId: 'r', seq: 5, type: 'candidateError', index: 1, message: 'boom' },
  { runId: 'r', seq: 6, type: 'candidateStopped', index: 1, text: 'c' },
  { runId: 'r', seq: 7, type: 'scored', index: 0, reward: -0.5 },
  { runId: 'r', seq: 8, type: 'scoreError', indexes: [0, 1], kind: 'wrongCount', message: 'returned 1 score for 2 texts' },
  { runId: 'r', seq: 9, type: 'earlyStop', leader: 0, margin: 1.5, stopped: [1] },
  { runId: 'r', seq: 10, type: 'ranked', order: [0], best: 0 },
  { runId: 'r', seq: 11, type: 'rescoring', indexes: [0], scorer },
  { runId: 'r', seq: 12, type: 'done', cancelled: true },
  { runId: 'r', seq: 13, type: 'candidateDone', index: 1, text: 'cd', finishReason: 'stop', tokens: 3, tokensEstimated: true },
  { runId: 'r', seq: 14, type: 'candidateTokens', index: 1, tokens: 4, estimated: false },
  { runId: 'r', seq: 15, type: 'rubricGrading', index: 0, criteria: ['Is it terse?', 'Is it right?'] },
  { runId: 'r', seq: 16, type: 'rubricGraded', index: 0, rubric: 0, score: 4, feedback: 'Short and clear.' },
  { runId: 'r', seq: 17, type: 'rubricError', index: 0, rubric: 1, message: 'The judge gave no 1-5 score in 5 tries.' },
];

describe('candidates panel protocol', () => {
  it('carries every core event type to the webview, through JSON as postMessage and setState do', () => {
    for (const event of everyEvent) {
      const message = { type: 'event', sessionId: 's', group: 0, event };
      const parsed = hostMessageSchema.safeParse(JSON.parse(JSON.stringify(message)));
      assert.ok(parsed.success, `${event.type}: ${parsed.success ? '' : parsed.error.message}`);
      assert.equal(parsed.data.type, 'event');
      if (parsed.data.type === 'event') assert.deepEqual(toCoreEvent(parsed.data.event), event, `${event.type} comes back as the core event`);
    }
  });

  it('rejects events the reducer could be misled by', () => {
    const bad: unknown[] = [
      { type: 'event', sessionId: 's', group: 0, event: { runId: 'r', seq: 1, type: 'scored', index: 0, reward: null } },
      { type: 'event', sessionId: 's', group: 0, event: { runId: 'r', seq: 1, type: 'scored', index: -1, reward: 1 } },
      { type: 'event', sessionId: 's', group: 0, event: { runId: 'r', seq: 1, type: 'ranked', order: [0], best: '0' } },
      { type: 'event', sessionId: 's', group: 0, event: { runId: 'r', seq: 1, type: 'started', n: 0, strategy: 'n', seed: 1 } },
      { type: 'event', sessionId: 's', group: 0, event: { runId: 'r', seq: 1, type: 'delta', index: 0, text: 'x' } },
      { type: 'event', sessionId: 's', event: { runId: 'r', seq: 1, type: 'done', cancelled: false } },
      { type: 'result', ok: true, message: 'no replyTo' },
    ];
    for (const message of bad) assert.equal(hostMessageSchema.safeParse(message).success, false, JSON.stringify(message));
  });

  it('accepts every webview message and rejects unknown actions, marks and missing ids', () => {
    const good: unknown[] = [
      { type: 'ready' },
      { type: 'cancel', sessionId: 's' },
      { type: 'action', id: '1', sessionId: 's', group: 0, index: 2, action: 'insert' },
      { type: 'action', id: '1', sessionId: 's', group: 0, index: 2, action: 'replace' },
      { type: 'action', id: '1', sessionId: 's', group: 1, index: 0, action: 'copy' },
      { type: 'action', id: '1', sessionId: 's', group: 1, index: 0, action: 'open' },
      { type: 'mark', id: '2', sessionId: 's', group: 0, index: 1, mark: 'chosen' },
      { type: 'mark', id: '2', sessionId: 's', group: 0, index: 1, mark: null },
      { type: 'rescore', id: '3', sessionId: 's' },
      { type: 'export' },
      { type: 'openSessions' },
    ];
    for (const message of good) assert.ok(webviewMessageSchema.safeParse(message).success, JSON.stringify(message));
    const bad: unknown[] = [
      { type: 'ready ' },
      { type: 'action', id: '1', sessionId: 's', group: 0, index: 2, action: 'delete' },
      { type: 'action', sessionId: 's', group: 0, index: 2, action: 'copy' },
      { type: 'mark', id: '2', sessionId: 's', group: 0, index: 1, mark: 'maybe' },
      { type: 'rescore', id: '3' },
      'ready',
    ];
    for (const message of bad) assert.equal(webviewMessageSchema.safeParse(message).success, false, JSON.stringify(message));
  });

  it('restores a saved panel state after JSON (setState) with the same session', () => {
    let session = newSession({ sessionId: 's', mode: 'bestOfN', prompt: 'p', groups: [{ label: 'Best-of-N', system: 'sys' }], hasSelection: true, createdAt: 3 });
    for (const event of everyEvent.slice(0, 8)) session = applyGroupEvent(session, 0, event);
    const restored = panelStateSchema.safeParse(JSON.parse(JSON.stringify({ session })));
    assert.ok(restored.success);
    assert.deepEqual(JSON.parse(JSON.stringify(restored.data.session)), JSON.parse(JSON.stringify(session)));
    assert.equal(panelStateSchema.safeParse({ session: { ...session, groups: [] } }).success, false);
  });
});
