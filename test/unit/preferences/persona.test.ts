import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serializePersona } from '../../../src/core/preferences/persona';
import { parsePersonaText } from '../../../src/core/preferences/personaText';
import type { PersonaProblem } from '../../../src/core/preferences/personaText';
import { PERSONA_SCHEMA_PATH, personaJsonSchemaText } from '../../../src/core/preferences/writeSchema';
import { aPersona, aPreferenceSet, aRubric } from './builders';

function problemsOf(text: string): readonly PersonaProblem[] {
  const result = parsePersonaText(text);
  assert.equal(result.ok, false, 'expected the text to be rejected');
  return result.problems;
}

/** The text a problem's range covers. */
function covered(text: string, problem: PersonaProblem): string {
  const lines = text.split('\n');
  if (problem.line === problem.endLine) return (lines[problem.line] ?? '').slice(problem.column, problem.endColumn);
  return `${(lines[problem.line] ?? '').slice(problem.column)}...`;
}

describe('persona file', () => {
  it('round-trips: serialise, parse, serialise gives the same bytes and the same value', () => {
    const persona = aPersona({ rubrics: [aRubric()], notes: 'for the docs team', $schema: '../schemas/persona.schema.json' });
    const text = serializePersona(persona);
    const parsed = parsePersonaText(text);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.persona, persona);
    assert.equal(serializePersona(parsed.persona), text);
  });

  it('serialises with fixed key order, 2-space indent and a trailing newline whatever the input order', () => {
    const base = aPersona({ notes: 'n' });
    const shuffled = { notes: 'n', system: base.system, preference_set: base.preference_set.map((item) => ({ description: item.description, preference: item.preference, subdimension: item.subdimension, dimension: item.dimension })), name: base.name };
    const text = serializePersona(shuffled);
    assert.ok(text.endsWith('}\n') && !text.endsWith('\n\n'));
    assert.deepEqual(Object.keys(JSON.parse(text) as object), ['name', 'preference_set', 'system', 'notes']);
    assert.match(text, /^\{\n {2}"name": "Practical mentor",\n {2}"preference_set": \[\n {4}\{\n {6}"dimension": "style",\n {6}"subdimension"/);
    assert.equal(text, serializePersona(base));
  });

  it('keeps the author order of the preference set', () => {
    const reversed = aPersona({ preference_set: aPreferenceSet().reverse() });
    const parsed = parsePersonaText(serializePersona(reversed));
    assert.ok(parsed.ok);
    assert.equal(parsed.persona.preference_set[0]?.dimension, 'harmlessness');
  });

  it('reports a JSON syntax error at its line and column', () => {
    const text = '{\n  "name": "x",\n  "system": "y",\n}\n';
    const [problem] = problemsOf(text);
    assert.equal(problem?.line, 3);
    assert.equal(problem?.column, 0);
    assert.match(problem?.message ?? '', /trailing comma/);
  });

  it('rejects comments with a hint to use notes', () => {
    const [problem] = problemsOf('{ // hi\n"name": "x"}');
    assert.match(problem?.message ?? '', /notes/);
    assert.deepEqual([problem?.line, problem?.column], [0, 2]);
  });

  it('reports an empty file', () => {
    assert.match(problemsOf('   ')[0]?.message ?? '', /empty/);
  });

  it('points a missing field at the object that should hold it and says what to add', () => {
    const persona = aPersona();
    const text = serializePersona(persona).replace(/ {2}"system": .*\n/, '');
    const withoutSystem = text.replace(/\],\n\}/, ']\n}');
    const problems = problemsOf(withoutSystem);
    assert.equal(problems.length, 1);
    assert.deepEqual(problems[0]?.path, ['system']);
    assert.match(problems[0]?.message ?? '', /^Add "system": the system message/);
    assert.deepEqual([problems[0]?.line, problems[0]?.column], [0, 0]);
  });

  it('points a wrong dimension at its value and lists the allowed ones', () => {
    const text = serializePersona(aPersona()).replace('"dimension": "style"', '"dimension": "stlye"');
    const [problem] = problemsOf(text);
    assert.deepEqual(problem?.path, ['preference_set', 0, 'dimension']);
    assert.equal(problem && covered(text, problem), '"stlye"');
    assert.match(problem?.message ?? '', /"stlye".*"style", "background_knowledge", "informativeness", "harmlessness"/);
  });

  it('names a repeated dimension and the one that is missing', () => {
    const text = serializePersona(aPersona()).replace('"dimension": "harmlessness"', '"dimension": "style"');
    const [problem] = problemsOf(text);
    assert.deepEqual(problem?.path, ['preference_set', 3, 'dimension']);
    assert.equal(problem && covered(text, problem), '"style"');
    assert.match(problem?.message ?? '', /appears more than once.*"harmlessness"/);
  });

  it('requires exactly four items and points at the preference_set key', () => {
    const persona = aPersona();
    const text = serializePersona({ ...persona, preference_set: persona.preference_set.slice(0, 3) });
    const [problem] = problemsOf(text);
    assert.equal(problem && covered(text, problem), '"preference_set"');
    assert.match(problem?.message ?? '', /has 3 items; it needs exactly 4/);
  });

  it('reports each unknown field at its key', () => {
    const text = serializePersona(aPersona()).replace('"name":', '"nmae": "a",\n  "extra": 1,\n  "name":');
    const problems = problemsOf(text);
    assert.deepEqual(problems.map((problem) => covered(text, problem)), ['"nmae"', '"extra"']);
    assert.match(problems[0]?.message ?? '', /Unknown field "nmae" in the file: remove it or check its spelling/);
  });

  it('rejects a blank name and a wrong type with an actionable message', () => {
    const text = serializePersona(aPersona()).replace('"name": "Practical mentor"', '"name": "  "').replace(/"system": ".*"/, '"system": 42');
    const problems = problemsOf(text);
    assert.deepEqual(problems.map((problem) => problem.path.join('.')), ['name', 'system']);
    assert.match(problems[0]?.message ?? '', /"name" is blank; write a short, non-empty name/);
    assert.match(problems[1]?.message ?? '', /"system" must be a string, not a number/);
    assert.equal(problems[1] && covered(text, problems[1]), '42');
  });

  it('names the missing score description of a rubric', () => {
    const rubric = aRubric();
    const text = serializePersona(aPersona({ rubrics: [rubric] })).replace(/ {8}"3": .*\n/, '');
    const [problem] = problemsOf(text);
    assert.deepEqual(problem?.path, ['rubrics', 0, 'score_descriptions', '3']);
    assert.match(problem?.message ?? '', /Add "rubrics\[0\]\.score_descriptions\.3"/);
    assert.equal(problem && covered(text, problem), '"score_descriptions"');
  });

  it('counts columns on CRLF files the way the editor does', () => {
    const text = serializePersona(aPersona()).replace('"dimension": "style"', '"dimension": 7').replace(/\n/g, '\r\n');
    const [problem] = problemsOf(text);
    const lines = text.split('\r\n');
    assert.equal(lines[problem?.line ?? -1]?.slice(problem?.column, problem?.endColumn), '7');
  });

  it('the committed JSON schema equals the one generated from the zod schema', () => {
    assert.equal(readFileSync(PERSONA_SCHEMA_PATH, 'utf8'), personaJsonSchemaText(), 'regenerate media/schemas/persona.schema.json with personaJsonSchemaText()');
  });

  it('the JSON schema requires the fields and pins the dimensions', () => {
    const schema = JSON.parse(personaJsonSchemaText()) as { required: string[]; additionalProperties: boolean; properties: { preference_set: { minItems: number; maxItems: number; items: { properties: { dimension: { enum: string[] } } } } } };
    assert.deepEqual(schema.required, ['name', 'preference_set', 'system']);
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual([schema.properties.preference_set.minItems, schema.properties.preference_set.maxItems], [4, 4]);
    assert.deepEqual(schema.properties.preference_set.items.properties.dimension.enum, ['style', 'background_knowledge', 'informativeness', 'harmlessness']);
  });
});
