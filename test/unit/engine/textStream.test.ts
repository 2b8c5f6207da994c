import assert from 'node:assert/strict';
import { TokenTextStream } from '../../../src/engine/textStream';

/** A toy tokenizer: each token is one UTF-8 byte, so multi-byte characters split across tokens. */
const bytes = (text: string): number[] => [...Buffer.from(text, 'utf8')];
const detokenize = (tokens: readonly number[]): string => Buffer.from(tokens).toString('utf8');

function run(text: string, stops: string[]): { deltas: string[]; stopped: boolean; final: string } {
  const stream = new TokenTextStream(detokenize, stops);
  const deltas: string[] = [];
  let stopped = false;
  for (const token of bytes(text)) {
    const step = stream.push(token);
    if (step.delta) deltas.push(step.delta);
    if (step.stopped) {
      stopped = true;
      break;
    }
  }
  const tail = stream.finish();
  if (tail.delta) deltas.push(tail.delta);
  return { deltas, stopped, final: stream.completionText };
}

describe('TokenTextStream', () => {
  it('never sends half of a multi-byte character', () => {
    const { deltas, final } = run('héllo 🙂 wörld', []);
    assert.equal(final, 'héllo 🙂 wörld');
    for (const delta of deltas) assert.ok(!delta.includes('\uFFFD'), `delta ${JSON.stringify(delta)}`);
    assert.equal(deltas.join(''), final);
  });

  it('ends at a stop string and never sends it, even in pieces', () => {
    const { deltas, stopped, final } = run('alpha beta\n\nUser: more', ['\n\nUser:']);
    assert.ok(stopped);
    assert.equal(final, 'alpha beta');
    assert.equal(deltas.join(''), 'alpha beta');
  });

  it('sends a held-back prefix once it turns out not to be a stop string', () => {
    const { deltas, stopped, final } = run('a <en', ['<end>']);
    assert.equal(stopped, false);
    assert.equal(final, 'a <en');
    assert.equal(deltas.join(''), 'a <en');
  });

  it('stops at the earliest of several stop strings', () => {
    assert.equal(run('one two three', ['three', 'two']).final, 'one ');
  });

  it('gives up waiting after a run of bytes that never form a character', () => {
    const stream = new TokenTextStream(detokenize, []);
    let sent = '';
    for (let i = 0; i < 9; i++) sent += stream.push(0xff).delta;
    assert.ok(sent.length > 0, 'invalid bytes are sent as replacement characters eventually');
  });
});
