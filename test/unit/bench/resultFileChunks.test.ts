import assert from 'node:assert/strict';
import { resultFileChunks, serializeResultFile } from '../../../src/core/bench/resultFiles';
import type { EvaluationFile } from '../../../src/core/bench/resultFiles';

describe('resultFileChunks', () => {
  it('writes exactly the text of serializeResultFile, one entry at a time', () => {
    const evaluation = {
      a: { id: 'a', source: 's', system: 'sys', prompt: 'line 1\nline 2', reference_answer: '“quoted” — text', rubric: [{ criteria: 'c', score_descriptions: { '1': 'x' } }], response: 'r', feedback: ['f'], score: [3] },
      'b"odd': { id: 'b', source: 's', system: '', prompt: 'p', reference_answer: '', rubric: [], response: '', feedback: [], score: [null] },
    } as unknown as EvaluationFile;
    for (const value of [{}, { '0': { response: 'a' } }, evaluation]) {
      const chunks = [...resultFileChunks(value)];
      assert.equal(chunks.join(''), serializeResultFile(value));
      if (Object.keys(value).length > 1) assert.ok(chunks.length > Object.keys(value).length, 'one chunk per entry, not one string');
    }
  });
});
