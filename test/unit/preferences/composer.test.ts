import assert from 'node:assert/strict';
import { composeSystemMessage, newPersona } from '../../../src/core/preferences/composer';
import { DIMENSION_IDS } from '../../../src/core/preferences/dimensions';
import type { DimensionId } from '../../../src/core/preferences/dimensions';
import { descriptionAboutUser, thirdPersonVerb } from '../../../src/core/preferences/pronouns';
import { BUILTIN_TEMPLATES, starterPreferenceSet, templatesFor, templateToItem } from '../../../src/core/preferences/templates';
import { aPreferenceSet, anItem } from './builders';
import { personaSchema } from '../../../src/core/preferences/persona';
import { lintPersona } from '../../../src/core/preferences/lint';

describe('composer', () => {
  it('writes one paragraph that starts with "You are" and speaks to the model as "your responses"', () => {
    const text = composeSystemMessage(aPreferenceSet());
    assert.match(text, /^You are /);
    assert.ok(!text.includes('\n'));
    assert.match(text, /\byour responses\b/i);
  });

  for (const dimension of DIMENSION_IDS) {
    it(`reflects the ${dimension} preference and its description`, () => {
      const item = anItem(dimension, { preference: `Zephyr ${dimension} phrase`, description: `You want the quokka-${dimension} marker honoured.` });
      const text = composeSystemMessage(aPreferenceSet({ [dimension]: item }));
      assert.ok(text.includes(`"zephyr ${dimension} phrase"`), text);
      assert.ok(text.includes(`The user wants the quokka-${dimension} marker honoured.`), text);
    });
  }

  it('opens with the background dimension whatever the order of the set', () => {
    const text = composeSystemMessage(aPreferenceSet().reverse());
    assert.match(text, /^You are a knowledgeable collaborator .*"builds on fundamentals"/);
    const order = ['builds on fundamentals', 'succinct summaries', 'actionable steps', 'acknowledged uncertainty'].map((phrase) => text.indexOf(phrase));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  });

  it('is deterministic and varies sentence shapes between subdimensions', () => {
    const set = aPreferenceSet();
    assert.equal(composeSystemMessage(set), composeSystemMessage(structuredClone(set)));
    const openings = new Set(BUILTIN_TEMPLATES.filter((template) => template.dimension === 'style').map((template) => composeSystemMessage(aPreferenceSet({ style: templateToItem(template) })).split('. ')[2]?.split('"')[0]));
    assert.ok(openings.size >= 8, `only ${openings.size} distinct style sentence shapes`);
  });

  it('handles unknown subdimensions and a set without background', () => {
    const text = composeSystemMessage([anItem('style', { subdimension: 'rhythm', preference: 'Short beats' })]);
    assert.match(text, /^You are a thoughtful assistant/);
    assert.ok(text.includes('"short beats"'));
    const custom = composeSystemMessage(aPreferenceSet({ background_knowledge: { subdimension: 'music theory student' } }));
    assert.match(custom, /^You are a thoughtful assistant .*music theory student/);
  });

  it('keeps acronyms and quotes safe in the phrase', () => {
    const text = composeSystemMessage(aPreferenceSet({ style: { preference: 'API-first "examples".' } }));
    assert.ok(text.includes(`"API-first 'examples'"`), text);
  });

  it('composes every built-in template into a message that names it', () => {
    for (const dimension of DIMENSION_IDS as readonly DimensionId[]) {
      for (const template of templatesFor(BUILTIN_TEMPLATES, dimension)) {
        const text = composeSystemMessage(aPreferenceSet({ [dimension]: templateToItem(template) }));
        assert.ok(text.toLowerCase().includes(`"${template.preference.toLowerCase()}"`), template.preference);
        assert.ok(!/\bthem can\b|\bYou want\b/.test(text), text);
      }
    }
  });
});

describe('new persona', () => {
  it('starts from one template per dimension with a composed, lint-clean, schema-valid message', () => {
    const persona = newPersona('Starter', starterPreferenceSet());
    assert.deepEqual(persona.preference_set.map((item) => item.dimension), [...DIMENSION_IDS]);
    assert.ok(personaSchema.safeParse(persona).success);
    assert.deepEqual(lintPersona(persona), []);
  });
});

describe('descriptions restated about the user', () => {
  const cases: readonly [string, string][] = [
    ['You want answers that get to the point.', 'The user wants answers that get to the point.'],
    ['You already know the basics and want more.', 'The user already knows the basics and wants more.'],
    ["You're new here. Tell you what you need.", 'The user is new here. Tell them what they need.'],
    ['You rely on a case you can picture, in your own words, by yourself.', 'The user relies on a case they can picture, in their own words, by themselves.'],
    ['You have met the terms but are unsure.', 'The user has met the terms but is unsure.'],
    ['You would rather ask.', 'The user would rather ask.'],
    ['This preference values brevity.', 'This preference values brevity.'],
  ];
  for (const [input, expected] of cases) {
    it(`"${input}"`, () => assert.equal(descriptionAboutUser(input), expected));
  }

  it('conjugates verbs for "the user"', () => {
    assert.deepEqual(['want', 'rely', 'watch', 'go', 'are', 'can', 'enjoy'].map(thirdPersonVerb), ['wants', 'relies', 'watches', 'goes', 'is', 'can', 'enjoys']);
  });
});
