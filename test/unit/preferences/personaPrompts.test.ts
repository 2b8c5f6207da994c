import assert from 'node:assert/strict';
import { cleanSynthesisReply, parseRubricDraftReply, rubricDraftPrompt, synthesisPrompt } from '../../../src/core/prompts/personaPrompts';
import { aPersona, aPreferenceSet, aRubric } from './builders';

function reply(rubrics: unknown[]): string {
  return JSON.stringify({ rubrics });
}

describe('synthesis prompt', () => {
  it('lists every preference and asks for one second-person paragraph', () => {
    const { system, user } = synthesisPrompt(aPreferenceSet());
    assert.ok(system.length > 0);
    for (const item of aPreferenceSet()) {
      assert.ok(user.includes(`${item.dimension} / ${item.subdimension}: "${item.preference}". ${item.description}`));
    }
    assert.match(user, /single paragraph/);
    assert.match(user, /begin with "You are"/);
  });

  it('cleans labels, quotes and line breaks from a reply', () => {
    assert.equal(cleanSynthesisReply('System message: "You are a guide.\nYour responses are short."\n'), 'You are a guide. Your responses are short.');
    assert.equal(cleanSynthesisReply('You are plain.'), 'You are plain.');
  });
});

describe('rubric drafting', () => {
  it('the prompt carries the system message, the preferences, the count and the JSON shape', () => {
    const persona = aPersona();
    const { system, user } = rubricDraftPrompt(persona);
    assert.match(system, /JSON/);
    assert.ok(user.includes(persona.system));
    assert.ok(user.includes('"actionable steps"'));
    assert.match(user, /Write exactly 4 rubrics/);
    assert.match(user, /"score_descriptions"/);
    assert.match(user, /JSON/, 'JSON mode needs the word JSON in the prompt');
  });

  it('parses a good reply, trimming text and dropping extra fields', () => {
    const rubrics = [1, 2, 3, 4].map((n) => ({ ...aRubric(` Criterion ${n} `), dimension: 'style' }));
    const result = parseRubricDraftReply(reply(rubrics));
    assert.ok(result.ok);
    assert.equal(result.rubrics.length, 4);
    assert.deepEqual(result.rubrics[0], aRubric('Criterion 1'));
  });

  it('accepts a reply wrapped in a ```json fence', () => {
    const result = parseRubricDraftReply('Here you go:\n```json\n' + reply([1, 2, 3, 4].map(() => aRubric())) + '\n```');
    assert.ok(result.ok);
  });

  it('explains malformed JSON', () => {
    const result = parseRubricDraftReply('{"rubrics": [');
    assert.ok(!result.ok);
    assert.match(result.message, /not valid JSON.*JSON mode/);
  });

  it('explains a reply without a rubrics list', () => {
    const result = parseRubricDraftReply(JSON.stringify([aRubric()]));
    assert.ok(!result.ok);
    assert.match(result.message, /no "rubrics" list/);
  });

  it('explains a wrong count', () => {
    const result = parseRubricDraftReply(reply([aRubric(), aRubric(), aRubric()]));
    assert.ok(!result.ok);
    assert.match(result.message, /has 3 rubrics; expected 4/);
    assert.ok(parseRubricDraftReply(reply([aRubric(), aRubric()]), 2).ok, 'the expected count is a parameter');
  });

  it('names the rubric and the missing score descriptions', () => {
    const broken = aRubric();
    const partial = { criteria: broken.criteria, score_descriptions: { '1': 'a', '2': 'b', '4': 'd', '5': ' ' } };
    const result = parseRubricDraftReply(reply([aRubric(), partial, aRubric(), aRubric()]));
    assert.ok(!result.ok);
    assert.match(result.message, /^Rubric 2 is missing score descriptions "3", "5"/);
  });

  it('names a rubric without criteria or without score descriptions', () => {
    const noCriteria = parseRubricDraftReply(reply([aRubric(), aRubric(), { score_descriptions: aRubric().score_descriptions }, aRubric()]));
    assert.ok(!noCriteria.ok);
    assert.match(noCriteria.message, /^Rubric 3 has no "criteria"/);
    const noScores = parseRubricDraftReply(reply([{ criteria: 'c', score_descriptions: ['a', 'b', 'c', 'd', 'e'] }, aRubric(), aRubric(), aRubric()]));
    assert.ok(!noScores.ok);
    assert.match(noScores.message, /^Rubric 1 has no "score_descriptions" object/);
  });
});
