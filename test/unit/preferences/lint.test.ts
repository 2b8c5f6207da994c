import assert from 'node:assert/strict';
import { composeSystemMessage } from '../../../src/core/preferences/composer';
import { DIMENSION_IDS } from '../../../src/core/preferences/dimensions';
import { analyzeCoverage, isPreferenceReflected, lintPersona, lintSystemMessage, MAX_WORDS } from '../../../src/core/preferences/lint';
import type { LintResult } from '../../../src/core/preferences/lint';
import { BUILTIN_TEMPLATES, templateToItem } from '../../../src/core/preferences/templates';
import { aPersona, aPreferenceSet, anItem } from './builders';

/** A message that covers all four dimensions and nothing else of note. */
const GOOD =
  'You are a patient guide for a user with no background in the subject. Your responses are clear and friendly, ' +
  'and they offer practical, actionable steps the user can apply right away. Keep every claim accurate and point out any safety risk before it matters.';

function codes(results: readonly LintResult[]): string[] {
  return results.map((result) => result.code);
}

function only(results: readonly LintResult[], code: string): LintResult[] {
  return results.filter((result) => result.code === code);
}

describe('lint: coverage', () => {
  it('a message covering all four dimensions has no findings', () => {
    assert.deepEqual(lintSystemMessage(GOOD), []);
    assert.deepEqual(analyzeCoverage(GOOD).covered, [...DIMENSION_IDS]);
  });

  const dropped: Record<string, string> = {
    style: GOOD.replace('are clear and friendly, and they offer', 'offer'),
    background_knowledge: GOOD.replace(' for a user with no background in the subject', ''),
    informativeness: GOOD.replace(', and they offer practical, actionable steps the user can apply right away', ''),
    harmlessness: GOOD.replace(' Keep every claim accurate and point out any safety risk before it matters.', ' Thanks.'),
  };
  for (const [dimension, message] of Object.entries(dropped)) {
    it(`reports ${dimension} as missing when its sentence is removed`, () => {
      const missing = only(lintSystemMessage(message), 'missing-dimension');
      assert.equal(missing.length, 1, JSON.stringify(missing));
      assert.ok(missing[0]?.message.includes(`(${dimension})`));
      assert.equal(missing[0]?.severity, 'warning');
      assert.deepEqual(analyzeCoverage(message).missing, [dimension]);
    });
  }

  it('attributes cues to subdimensions with offsets into the message', () => {
    const message = 'You are concise. Cite your sources.';
    const matches = analyzeCoverage(message).matches;
    const concise = matches.find((match) => match.subdimension === 'conciseness');
    assert.equal(concise && message.slice(concise.start, concise.end), 'concise');
    assert.ok(matches.some((match) => match.dimension === 'harmlessness' && match.subdimension === 'trustworthiness'));
  });

  it('recognises every built-in template once composed (the lexicon keeps up with the library)', () => {
    for (const template of BUILTIN_TEMPLATES) {
      const set = aPreferenceSet({ [template.dimension]: templateToItem(template) });
      const results = lintPersona({ preference_set: set, system: composeSystemMessage(set) });
      assert.deepEqual(codes(results), [], `${template.preference}: ${JSON.stringify(results)}`);
    }
  });
});

describe('lint: contradictions', () => {
  it('flags an expert user who should get explanations like they are five, at the second phrase', () => {
    const message = `${GOOD.replace(' with no background in the subject', '')} The user has expert-level knowledge, so explain it like I'm five.`;
    const [finding] = only(lintSystemMessage(message), 'contradiction-expertise');
    assert.ok(finding);
    assert.equal(message.slice(finding.range?.start, finding.range?.end), "explain it like I'm five");
    assert.match(finding.message, /"expert-level" vs "explain it like I'm five"/);
  });

  it('flags "for experts" with "no prior knowledge"', () => {
    assert.equal(only(lintSystemMessage(`${GOOD} Write for experts.`), 'contradiction-expertise').length, 1, 'GOOD says "no background"');
    assert.equal(only(lintSystemMessage('You are clear, for experts who have no prior knowledge.'), 'contradiction-expertise').length, 1);
  });

  it('does not flag an expert assistant teaching a beginner', () => {
    assert.deepEqual(only(lintSystemMessage(`${GOOD} You are an expert tutor for a user with no prior knowledge.`), 'contradiction-expertise'), []);
  });

  it('flags concise with exhaustive detail', () => {
    const message = `${GOOD} Be concise, yet cover the topic in great detail.`;
    const [finding] = only(lintSystemMessage(message), 'contradiction-length');
    assert.equal(finding && message.slice(finding.range?.start, finding.range?.end), 'in great detail');
    assert.equal(only(lintSystemMessage(`${GOOD} Be brief and exhaustive.`), 'contradiction-length').length, 1);
  });

  it('flags a formal register with slang', () => {
    assert.equal(only(lintSystemMessage(`${GOOD} Use a formal tone and plenty of slang.`), 'contradiction-register').length, 1);
    assert.equal(only(lintSystemMessage(`${GOOD} Write formally but keep it casual.`), 'contradiction-register').length, 1);
  });

  it('ignores negated cues ("free of slang", "not exhaustive")', () => {
    assert.deepEqual(only(lintSystemMessage(`${GOOD} Keep a formal tone, free of slang or jokes.`), 'contradiction-register'), []);
    assert.deepEqual(only(lintSystemMessage(`${GOOD} Be concise and never exhaustive.`), 'contradiction-length'), []);
  });

  it('does not read "formal notation" or "informal" as a formal register', () => {
    assert.deepEqual(only(lintSystemMessage(`${GOOD} Use formal notation in a casual voice.`), 'contradiction-register'), []);
    assert.deepEqual(only(lintSystemMessage(`${GOOD} Stay informal and casual.`), 'contradiction-register'), []);
  });
});

describe('lint: shape', () => {
  it('an empty message is one error and nothing else', () => {
    const results = lintSystemMessage('  \n ');
    assert.deepEqual(codes(results), ['empty']);
    assert.equal(results[0]?.severity, 'error');
  });

  it('warns about a very short message', () => {
    assert.deepEqual(codes(lintSystemMessage('You are concise, expert, practical and accurate.')), ['too-short']);
  });

  it('warns about a very long message', () => {
    const long = `${GOOD} ${'Your responses stay clear. '.repeat(Math.ceil(MAX_WORDS / 4))}`;
    const results = lintSystemMessage(long);
    assert.deepEqual(codes(results), ['too-long']);
    assert.match(results[0]?.message ?? '', /one paragraph/);
  });

  it('notes a second paragraph with its range', () => {
    const message = GOOD.replace('. Your', '.\n\nYour');
    const [finding] = lintSystemMessage(message);
    assert.equal(finding?.code, 'multiple-paragraphs');
    assert.equal(finding?.severity, 'info');
    assert.equal(message.slice(finding?.range?.start, finding?.range?.end), '\n\n');
  });

  it('warns when the message is not in the second person', () => {
    const third = 'The assistant is a patient guide for a user with no background. Its answers are clear and friendly, with practical steps, and every claim is accurate and safe.';
    assert.deepEqual(codes(lintSystemMessage(third)), ['not-second-person']);
  });
});

describe('lint: persona against its preference set', () => {
  it('a persona whose message mentions each preference is clean', () => {
    assert.deepEqual(lintPersona(aPersona()), []);
  });

  it('warns for each preference the message does not reflect, naming it', () => {
    const persona = aPersona({ preference_set: aPreferenceSet({ informativeness: { preference: 'cross-disciplinary links' }, style: { preference: 'storytelling' } }) });
    const findings = only(lintPersona(persona), 'preference-not-reflected');
    assert.equal(findings.length, 2);
    assert.match(findings[0]?.message ?? '', /style preference "storytelling"/);
    assert.match(findings[1]?.message ?? '', /informativeness preference "cross-disciplinary links"/);
  });

  it('matches inflected forms and needs half the content words', () => {
    assert.ok(isPreferenceReflected(anItem('style', { preference: 'concise examples' }), 'Answer concisely.'));
    assert.ok(!isPreferenceReflected(anItem('style', { preference: 'vivid storytelling metaphors' }), 'Use vivid words.'));
    assert.ok(isPreferenceReflected(anItem('style', { preference: 'a la' }), 'anything'), 'no content words: nothing to check');
  });

  it('an empty persona message reports only the empty error', () => {
    assert.deepEqual(codes(lintPersona(aPersona({ system: '' }))), ['empty']);
  });
});
