import assert from 'node:assert/strict';
import { DIMENSIONS, DIMENSION_IDS, isDimensionId, subdimensionInfo } from '../../../src/core/preferences/dimensions';
import { BUILTIN_TEMPLATES, mergeTemplates, parseTemplateFile, templatesFor, templateToItem } from '../../../src/core/preferences/templates';
import type { PreferenceTemplate } from '../../../src/core/preferences/templates';

/** The table in JANUS.md, written out here so the library is checked against the facts, not itself. */
const JANUS_TABLE: Readonly<Record<string, readonly string[]>> = {
  style: ['clarity', 'conciseness', 'format', 'tone', 'vividness'],
  background_knowledge: ['basic', 'novice', 'intermediate', 'advanced', 'expert'],
  informativeness: ['creativity', 'depth', 'efficiency', 'practicality', 'relevance'],
  harmlessness: ['accuracy', 'morality', 'safety', 'sensitivity', 'trustworthiness'],
};

describe('dimensions', () => {
  it('lists the four dimensions of JANUS.md in order, each with a label', () => {
    assert.deepEqual([...DIMENSION_IDS], Object.keys(JANUS_TABLE));
    for (const info of DIMENSIONS) assert.ok(info.label.length > 0 && info.description.length > 0);
  });

  it('describes every subdimension of JANUS.md in one line', () => {
    for (const [dimension, subs] of Object.entries(JANUS_TABLE)) {
      assert.ok(isDimensionId(dimension));
      for (const sub of subs) {
        const info = subdimensionInfo(dimension, sub);
        assert.ok(info, `${dimension}/${sub} missing`);
        assert.ok(!info.description.includes('\n') && info.description.length > 10);
      }
    }
    assert.equal(isDimensionId('tone'), false);
    assert.equal(subdimensionInfo('style', 'whimsy'), undefined);
  });
});

describe('template library', () => {
  it('has at least 3 preferences for every dimension and subdimension in JANUS.md', () => {
    for (const [dimension, subs] of Object.entries(JANUS_TABLE)) {
      assert.ok(isDimensionId(dimension));
      for (const sub of subs) {
        const entries = templatesFor(BUILTIN_TEMPLATES, dimension, sub);
        assert.ok(entries.length >= 3, `${dimension}/${sub} has ${entries.length} templates`);
      }
    }
  });

  it('only uses known subdimensions and has no duplicate phrases or descriptions', () => {
    const keys = new Set<string>();
    const descriptions = new Set<string>();
    for (const template of BUILTIN_TEMPLATES) {
      assert.ok(JANUS_TABLE[template.dimension]?.includes(template.subdimension), `${template.dimension}/${template.subdimension}`);
      const key = `${template.dimension}/${template.preference.toLowerCase()}`;
      assert.ok(!keys.has(key), `duplicate ${key}`);
      assert.ok(!descriptions.has(template.description), `duplicate description of ${key}`);
      keys.add(key);
      descriptions.add(template.description);
    }
  });

  it('writes each entry as a short phrase and one or two second-person sentences', () => {
    for (const template of BUILTIN_TEMPLATES) {
      assert.ok(template.preference.split(' ').length <= 5, template.preference);
      assert.match(template.description, /^You\b/, template.preference);
      const sentences = template.description.split(/(?<=[.!?])\s+/).length;
      assert.ok(sentences >= 1 && sentences <= 2, `${template.preference}: ${sentences} sentences`);
      assert.equal(template.source, 'builtin');
    }
  });

  it('loads a user template file and merges it after the built-ins', () => {
    const text = JSON.stringify([
      { dimension: 'style', subdimension: 'tone', preference: 'Pirate voice', description: 'You want answers in the voice of a pirate.' },
      { dimension: 'style', subdimension: 'conciseness', preference: 'No filler', description: 'Team wording.' },
    ]);
    const parsed = parseTemplateFile(text, '.janus/templates/team.json');
    assert.ok(parsed.ok);
    const merged = mergeTemplates(BUILTIN_TEMPLATES, parsed.templates);
    assert.equal(merged.length, BUILTIN_TEMPLATES.length + 1, 'one new entry, one replacement');
    assert.deepEqual(merged.at(-1), { dimension: 'style', subdimension: 'tone', preference: 'Pirate voice', description: 'You want answers in the voice of a pirate.', source: '.janus/templates/team.json' });
    const replaced = merged.find((template) => template.preference === 'No filler');
    assert.equal(replaced?.description, 'Team wording.');
    assert.equal(merged.indexOf(replaced as PreferenceTemplate), BUILTIN_TEMPLATES.findIndex((template) => template.preference === 'no filler'), 'replaced in place');
  });

  it('reports a bad user template file with positions', () => {
    const parsed = parseTemplateFile('[\n  { "dimension": "mood", "subdimension": "x", "preference": "p", "description": "d" }\n]', 'bad.json');
    assert.ok(!parsed.ok);
    assert.equal(parsed.problems[0]?.line, 1);
    assert.deepEqual(parsed.problems[0]?.path, [0, 'dimension']);
    assert.ok(!parseTemplateFile('{}', 'obj.json').ok, 'a file must be a list');
  });

  it('turns a template into a plain preference_set item', () => {
    const first = BUILTIN_TEMPLATES[0];
    assert.ok(first);
    assert.deepEqual(Object.keys(templateToItem(first)), ['dimension', 'subdimension', 'preference', 'description']);
  });
});
