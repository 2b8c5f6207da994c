import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { rawBenchInstanceSchema } from '../../../src/core/bench/benchSchema';
import { DIMENSION_IDS } from '../../../src/core/preferences/dimensions';
import { personaSchema, preferenceItemSchema, rubricSchema } from '../../../src/core/preferences/persona';

const snippetSchema = z.record(z.string(), z.object({ prefix: z.string(), description: z.string(), body: z.array(z.string()) }));
const snippets = snippetSchema.parse(JSON.parse(readFileSync(path.resolve(__dirname, '../../../snippets/json.json'), 'utf8')));

/** What the snippet inserts when every placeholder keeps its default (first choice of a list). */
function expand(body: readonly string[]): string {
  return body
    .join('\n')
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '');
}

function snippet(prefix: string): unknown {
  const found = Object.values(snippets).find((s) => s.prefix === prefix);
  assert.ok(found, `snippet ${prefix}`);
  return JSON.parse(expand(found.body));
}

describe('JSON snippets', () => {
  it('a persona expands to a valid persona file', () => {
    assert.ok(personaSchema.safeParse(snippet('janus-persona')).success);
  });

  for (const dimension of DIMENSION_IDS) {
    it(`a ${dimension} preference item expands to a valid preference_set item of that dimension`, () => {
      const item = preferenceItemSchema.parse(snippet(`janus-preference-${dimension.replace('_', '-')}`));
      assert.equal(item.dimension, dimension);
    });
  }

  it('a bench instance expands to a valid instance with four preferences and a rubric', () => {
    const instance = rawBenchInstanceSchema.parse(snippet('janus-bench-instance'));
    assert.deepEqual(instance.preference_set?.map((p) => p.dimension), [...DIMENSION_IDS]);
    assert.equal(instance.rubrics?.length, 1);
  });

  it('a rubric item expands to a rubric with five score descriptions', () => {
    const rubric = rubricSchema.parse(snippet('janus-rubric'));
    assert.deepEqual(Object.keys(rubric.score_descriptions), ['1', '2', '3', '4', '5']);
  });
});
