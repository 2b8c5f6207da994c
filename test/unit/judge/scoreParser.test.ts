import assert from 'node:assert/strict';
import { parseJudgeReply } from '../../../src/core/judge/scoreParser';

describe('parseJudgeReply', () => {
  const cases: [string, string, number | null][] = [
    ['[RESULT] n', 'Feedback: Clear and short. [RESULT] 4', 4],
    ['[RESULT] without space', 'Feedback: fine.[RESULT]5', 5],
    ['[RESULT] (n)', 'Feedback: ok [RESULT] (3)', 3],
    ['[RESULT]: n', 'Feedback: ok [RESULT]: 2', 2],
    ['[RESULT] n.0', 'Feedback: ok [RESULT] 4.0', 4],
    ['[RESULT] lower case', 'Feedback: ok [result] 1', 1],
    ['Score:', 'The response is vague.\nScore: 2', 2],
    ['Score: in bold', 'Fine work. **Score: 5**', 5],
    ['[SCORE]', 'Mostly right. [SCORE] 3', 3],
    ['Result:', 'Decent. Result: 4', 4],
    ['score of', 'I would give this a score of 3.', 3],
    ['[n]', 'Good but long. [4]', 4],
    ['(n)', 'Good but long (4)', 4],
    ['n/5', 'Overall 3/5 for tone.', 3],
    ['n / 5', 'Overall 3 / 5.', 3],
    ['n out of 5', 'I rate it 2 out of 5.', 2],
  ];
  for (const [name, reply, score] of cases) {
    it(`reads ${name}`, () => assert.equal(parseJudgeReply(reply).score, score));
  }

  it('prefers [RESULT] over earlier lenient forms and takes its last occurrence', () => {
    assert.equal(parseJudgeReply('Score: 2 at first glance, (5) maybe. [RESULT] 4').score, 4);
    assert.equal(parseJudgeReply('[RESULT] 2 ... on reflection [RESULT] 3').score, 3);
  });

  it('returns null, never a number, when there is no score', () => {
    for (const reply of ['', 'I cannot evaluate this.', 'Feedback: good. [RESULT]', 'Scored 45 points', '[RESULT] 7', 'rated 4.5/5', '[RESULT] 0', 'Step (10) done']) {
      assert.equal(parseJudgeReply(reply).score, null, reply);
    }
  });

  it('takes the text before [RESULT] as feedback, or the whole reply without it', () => {
    assert.equal(parseJudgeReply('Feedback: Clear steps.\n[RESULT] 5').feedback, 'Feedback: Clear steps.');
    assert.equal(parseJudgeReply('  no marker here  ').feedback, 'no marker here');
  });
});
