import assert from 'node:assert/strict';
import type { BenchInstance } from '../../../src/core/bench/benchSchema';
import { judgeBatchInput, parseJudgeBatchOutput } from '../../../src/core/judge/batchFiles';
import { defaultJudgeSystemPrompt, defaultJudgeTemplate, renderJudgePrompt } from '../../../src/core/prompts/judgePrompt';

const rubric = (criteria: string) => ({ criteria, score_descriptions: { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' } });
const bench: BenchInstance[] = [
  { id: '0', index: 0, source: 's', system: 'sys', prompt: 'Why?', reference_answer: 'Because.', rubrics: [rubric('clear?'), rubric('kind?')] },
  { id: 'a_b', index: 1, source: 's', system: 'sys', prompt: 'How?', reference_answer: 'Thus.', rubrics: [rubric('short?')] },
];
const responses = { '0': { response: 'Since.' }, a_b: { response: 'So.' } };

function outputLine(customId: string, content: string | null, status = 200): string {
  return JSON.stringify({ id: 'x', custom_id: customId, response: { status_code: status, request_id: 'r', body: { choices: [{ index: 0, message: { role: 'assistant', content } }] } }, error: null });
}

describe('Batch API files', () => {
  it('writes one chat request per rubric item with custom_id {id}_{i}, runs after the first marked', () => {
    const text = judgeBatchInput({ instances: bench, responses, model: 'gpt-4-0125-preview', sampling: { maxTokens: 1024, temperature: 1, topP: 0.9 }, runs: 2 });
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { custom_id: string; method: string; url: string; body: { model: string; messages: { role: string; content: string }[]; max_tokens: number; temperature: number; top_p: number } });
    assert.deepEqual(lines.map((l) => l.custom_id), ['0_0', '0_1', 'a_b_0', '0_0_run2', '0_1_run2', 'a_b_0_run2']);
    const first = lines[0];
    assert.equal(first?.method, 'POST');
    assert.equal(first?.url, '/v1/chat/completions');
    assert.deepEqual(first?.body.messages, [
      { role: 'system', content: defaultJudgeSystemPrompt },
      { role: 'user', content: renderJudgePrompt(defaultJudgeTemplate, { instruction: 'Why?', response: 'Since.', referenceAnswer: 'Because.', rubric: rubric('clear?') }) },
    ]);
    assert.deepEqual([first?.body.model, first?.body.max_tokens, first?.body.temperature, first?.body.top_p], ['gpt-4-0125-preview', 1024, 1, 0.9]);
  });

  it('reads output lines in any order; errors and unknown ids are reported, never scored', () => {
    const output = [
      outputLine('a_b_0', 'Feedback: fine [RESULT] 5'),
      JSON.stringify({ custom_id: '0_1', response: null, error: { code: 'server_error', message: 'boom' } }),
      outputLine('0_0', 'Feedback: unclear [RESULT] 2'),
      outputLine('9_9', 'Feedback: [RESULT] 1'),
      outputLine('0_0_run2', 'No verdict today.'),
      outputLine('0_1_run2', null, 500),
      '{"truncated',
    ].join('\n');
    const parsed = parseJudgeBatchOutput(output, bench, 2);
    const byKey = new Map(parsed.items.map((i) => [`${i.run}/${i.id}/${i.rubricIndex}`, i]));
    assert.equal(byKey.get('0/a_b/0')?.score, 5);
    assert.equal(byKey.get('0/0/0')?.score, 2);
    assert.equal(byKey.get('0/0/0')?.feedback, 'Feedback: unclear');
    assert.equal(byKey.get('1/0/0')?.score, null);
    assert.equal(byKey.get('1/0/0')?.feedback, 'No verdict today.');
    assert.deepEqual(parsed.failed.map((f) => [f.customId, f.line, f.reason]), [
      ['0_1', 2, 'boom'],
      ['9_9', 4, 'custom_id matches no rubric item of this bench'],
      ['0_1_run2', 6, 'status 500'],
      [undefined, 7, 'not a batch output line'],
    ]);
  });
});
