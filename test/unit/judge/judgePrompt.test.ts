import assert from 'node:assert/strict';
import { defaultJudgeTemplate, parseJudgeTemplate, pythonJsonDumps, renderJudgePrompt } from '../../../src/core/prompts/judgePrompt';
import type { Rubric } from '../../../src/core/preferences/persona';

const rubric: Rubric = {
  criteria: 'Is it café-friendly — “quoted” "x" \\ tab\t 😀?',
  score_descriptions: { '1': 'bad\n', '2': 'ü', '3': '\u007f\u0001', '4': 'ok', '5': 'great' },
};

describe('judge prompt', () => {
  it("dumps the rubric byte for byte as Python's json.dumps(indent=4)", () => {
    // Printed by Python 3: json.dumps(rubric, indent=4) for the same dict.
    const python =
      '{\n    "criteria": "Is it caf\\u00e9-friendly \\u2014 \\u201cquoted\\u201d \\"x\\" \\\\ tab\\t \\ud83d\\ude00?",\n    "score_descriptions": {\n        "1": "bad\\n",\n        "2": "\\u00fc",\n        "3": "\\u007f\\u0001",\n        "4": "ok",\n        "5": "great"\n    }\n}';
    assert.equal(pythonJsonDumps(rubric), python);
    assert.equal(pythonJsonDumps({ a: [], b: {}, c: [1, null, true] }), '{\n    "a": [],\n    "b": {},\n    "c": [\n        1,\n        null,\n        true\n    ]\n}');
  });

  it('renders the sections in order, with the prompt alone as the instruction', () => {
    const text = renderJudgePrompt(defaultJudgeTemplate, { instruction: 'INSTR {response}', response: 'RESP', referenceAnswer: 'REF', rubric });
    const order = ['## Task', '[RESULT]', '## Instruction\nINSTR {response}\n', '## Response to evaluate\nRESP\n', '## Reference answer (score 5)\nREF\n', `## Score rubric\n${pythonJsonDumps(rubric)}\n`];
    let at = 0;
    for (const part of order) {
      const found = text.indexOf(part, at);
      assert.ok(found >= at, `"${part.slice(0, 30)}" in order`);
      at = found + part.length;
    }
    assert.ok(!text.includes('RESP\n## Instruction'), 'a placeholder inside a value is not substituted again');
  });

  it('fills a user template, with {{ and }} as literal braces', () => {
    const template = parseJudgeTemplate('Q: {instruction}\nA: {response}\nRef: {reference_answer}\n{{json}}: {score_rubric}');
    const text = renderJudgePrompt(template, { instruction: 'q', response: 'a', referenceAnswer: 'r', rubric });
    assert.equal(text, `Q: q\nA: a\nRef: r\n{json}: ${pythonJsonDumps(rubric)}`);
  });

  it('rejects unknown and missing placeholders with the line and what to do', () => {
    assert.throws(() => parseJudgeTemplate('{instruction}\n{orig_response}\n{score_rubric}', 'judge.txt'), /judge\.txt, line 2: unknown placeholder \{orig_response\}/);
    assert.throws(() => parseJudgeTemplate('{instruction} {reference_answer}', 'judge.txt'), /judge\.txt has no \{response\}, \{score_rubric\}/);
    assert.throws(() => parseJudgeTemplate('{instruction} {response} {score_rubric} }'), /lone "\}"/);
  });
});

describe('judge prompt without a reference answer', () => {
  it('is the default prompt minus the reference section', async () => {
    const { noReferenceJudgeTemplate } = await import('../../../src/core/prompts/judgePrompt');
    const input = { instruction: 'I', response: 'R', referenceAnswer: 'REF', rubric };
    const withRef = renderJudgePrompt(defaultJudgeTemplate, input);
    const without = renderJudgePrompt(noReferenceJudgeTemplate, input);
    assert.equal(without, withRef.replace('a reference answer that deserves a score of 5, ', '').replace('\n## Reference answer (score 5)\nREF\n', ''));
    assert.ok(!without.includes('REF'));
    assert.match(withRef, /## Response to evaluate\nR\n\n## Reference answer \(score 5\)\nREF\n\n## Score rubric\n/);
    assert.match(without, /## Response to evaluate\nR\n\n## Score rubric\n/);
  });
});
