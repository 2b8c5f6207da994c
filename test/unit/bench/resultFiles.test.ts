import assert from 'node:assert/strict';
import { evaluationFileSchema, parseResultText, responsesFileSchema, serializeResultFile } from '../../../src/core/bench/resultFiles';

describe('responses and evaluation files', () => {
  it('reads the original responses shape, with an optional reward', () => {
    const file = parseResultText('{"0": {"response": "hi"}, "1": {"response": "yo", "reward": -0.5}}', responsesFileSchema, 'r.json', 'responses file');
    assert.deepEqual({ ...file }, { '0': { response: 'hi' }, '1': { response: 'yo', reward: -0.5 } });
  });

  it('names the file and the line and column of a syntax error', () => {
    assert.throws(() => parseResultText('{\n  "0": {"response": "hi",}\n}', responsesFileSchema, 'r.json', 'responses file'), /r\.json is not valid JSON at line 2, column \d+/);
  });

  it('names the field of a shape error', () => {
    assert.throws(() => parseResultText('{"7": {"text": "hi"}}', responsesFileSchema, 'r.json', 'responses file'), /r\.json is not a responses file at "7\.response"/);
  });

  it('accepts null scores (unscored) and rejects scores outside 1-5', () => {
    const entry = { id: '0', source: 's', system: '', prompt: 'p', reference_answer: 'r', rubric: [], response: 'x', feedback: ['a', 'b'], score: [null, 4] };
    assert.ok(evaluationFileSchema.safeParse({ '0': entry }).success);
    assert.ok(!evaluationFileSchema.safeParse({ '0': { ...entry, score: [0, 4] } }).success);
    assert.ok(!evaluationFileSchema.safeParse({ '0': { ...entry, score: [4.5] } }).success);
  });

  it('writes with a 4-space indent and a final newline', () => {
    assert.equal(serializeResultFile({ '0': { response: 'a' } }), '{\n    "0": {\n        "response": "a"\n    }\n}\n');
  });
});
