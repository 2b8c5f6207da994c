import assert from 'node:assert/strict';
import { StreamAssembler, chatChunkDeltas, completionChunkDeltas } from '../../../../src/core/endpoints/streamAssembly';

describe('stream assembly', () => {
  it('assembles completion chunks, finish reason and usage', () => {
    const a = new StreamAssembler();
    a.push(completionChunkDeltas({ choices: [{ index: 0, text: 'Hel', finish_reason: null }] }));
    a.push(completionChunkDeltas({ choices: [{ index: 0, text: 'lo', finish_reason: null }] }));
    a.push(completionChunkDeltas({ choices: [{ index: 0, text: '', finish_reason: 'length' }], usage: { prompt_tokens: 5, completion_tokens: 2 } }));
    assert.equal(a.text(), 'Hello');
    assert.equal(a.finishReason(), 'length');
    assert.deepEqual(a.usage, { promptTokens: 5, completionTokens: 2 });
  });

  it('assembles chat deltas and skips role-only and usage-only chunks', () => {
    const a = new StreamAssembler();
    a.push(chatChunkDeltas({ choices: [{ index: 0, delta: { role: 'assistant' } }] }));
    a.push(chatChunkDeltas({ choices: [{ index: 0, delta: { content: 'Hi' } }] }));
    a.push(chatChunkDeltas({ choices: [{ index: 0, delta: { content: ' there' }, finish_reason: 'stop' }] }));
    a.push(chatChunkDeltas({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } }));
    assert.equal(a.text(), 'Hi there');
    assert.equal(a.finishReason(), 'stop');
    assert.deepEqual(a.usage, { promptTokens: 3, completionTokens: 2 });
  });

  it('keeps interleaved choices apart (n > 1)', () => {
    const a = new StreamAssembler();
    a.push(completionChunkDeltas({ choices: [{ index: 1, text: 'B1' }, { index: 0, text: 'A1' }] }));
    a.push(completionChunkDeltas({ choices: [{ index: 0, text: 'A2', finish_reason: 'stop' }] }));
    a.push(completionChunkDeltas({ choices: [{ index: 1, text: 'B2', finish_reason: 'length' }] }));
    assert.deepEqual(a.choices(), [
      { index: 0, text: 'A1A2', finishReason: 'stop' },
      { index: 1, text: 'B1B2', finishReason: 'length' },
    ]);
  });

  it('tolerates missing fields and non-objects', () => {
    assert.deepEqual(completionChunkDeltas(null), { deltas: [] });
    assert.deepEqual(completionChunkDeltas({ choices: [{ text: 42 }] }).deltas, [{ index: 0, text: '', finishReason: null }]);
    assert.deepEqual(chatChunkDeltas({ choices: [{ delta: null }] }).deltas, [{ index: 0, text: '', finishReason: null }]);
  });
});
