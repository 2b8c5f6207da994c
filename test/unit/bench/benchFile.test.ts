import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { detectBenchFormat, parseBenchText } from '../../../src/core/bench/benchFile';
import { scanJsonSpans } from '../../../src/core/bench/jsonSpans';
import { syntheticBenchText, syntheticInstance } from '../../fixtures/bench/syntheticBench';

const fixture = readFileSync(path.join(__dirname, '../../fixtures/bench/small.bench.json'), 'utf8');

/** The text at a reported range, to check positions by what they point at. */
function textAt(text: string, range: { line: number; column: number; endLine: number; endColumn: number }): string {
  const lines = text.split('\n');
  if (range.line === range.endLine) return (lines[range.line] ?? '').slice(range.column, range.endColumn);
  return [(lines[range.line] ?? '').slice(range.column), ...lines.slice(range.line + 1, range.endLine), (lines[range.endLine] ?? '').slice(0, range.endColumn)].join('\n');
}

describe('bench files', () => {
  it('recognises a bench by content, as a JSON list or JSONL', () => {
    assert.equal(detectBenchFormat(fixture), 'json');
    assert.equal(detectBenchFormat(syntheticBenchText(3, 'jsonl')), 'jsonl');
    assert.equal(detectBenchFormat('  [{"prompt": "x", "rubric": []}]'), 'json');
    assert.equal(detectBenchFormat('{"name": "a persona", "system": "x"}'), undefined);
    assert.equal(detectBenchFormat('[{"prompt": "no rubrics"}]'), undefined);
    assert.equal(detectBenchFormat('{"0": {"response": "a responses file"}}'), undefined);
    assert.equal(detectBenchFormat(''), undefined);
  });

  it('parses the fixture: ids from position or the file, rubric normalised to rubrics', () => {
    const parsed = parseBenchText(fixture);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.instances.map((i) => i.id), ['0', '1', 'budget-1', '3']);
    assert.equal(parsed.instances[2]?.rubrics.length, 4, 'the old "rubric" name is accepted');
    assert.equal(parsed.instances[1]?.preference_set, undefined);
    assert.equal(parsed.instances[0]?.preference_set?.length, 4);
  });

  it('gives the position of each instance and of each rubric criteria', () => {
    const parsed = parseBenchText(fixture);
    const entry = parsed.entries[1];
    assert.ok(entry);
    assert.equal(textAt(fixture, entry.range).slice(0, 1), '{');
    assert.match(textAt(fixture, entry.range), /Why is the sky blue\?[\s\S]*\}$/);
    assert.equal(entry.range.column, 4);
    const criteria = entry.rubrics[2]?.criteria;
    assert.ok(criteria);
    assert.equal(textAt(fixture, criteria), '"Does it use one everyday comparison?"');
    assert.equal(fixture.slice(criteria.offset, criteria.offset + criteria.length), '"Does it use one everyday comparison?"');
  });

  it('gives positions in JSONL too, one instance per line', () => {
    const text = syntheticBenchText(3, 'jsonl');
    const parsed = parseBenchText(text);
    assert.equal(parsed.format, 'jsonl');
    assert.deepEqual(parsed.entries.map((e) => [e.range.line, e.range.column]), [[0, 0], [1, 0], [2, 0]]);
    const criteria = parsed.entries[2]?.rubrics[3]?.criteria;
    assert.ok(criteria);
    assert.equal(criteria.line, 2);
    assert.equal(JSON.parse(textAt(text, criteria)), syntheticInstance(2).rubrics[3]?.criteria);
  });

  it('reports a rubric without all five score descriptions at that rubric, and keeps the other instances', () => {
    const broken = JSON.parse(fixture) as { rubrics?: { score_descriptions: Record<string, string> }[] }[];
    delete broken[1]?.rubrics?.[2]?.score_descriptions['3'];
    const text = JSON.stringify(broken, null, 4);
    const parsed = parseBenchText(text);
    assert.equal(parsed.problems.length, 1);
    const [p] = parsed.problems;
    assert.match(p?.message ?? '', /Instance 1: rubric "rubrics\[2\]\.score_descriptions" has no description for score 3/);
    assert.equal(textAt(text, p!), '"score_descriptions"');
    assert.deepEqual(parsed.instances.map((i) => i.id), ['0', 'budget-1', '3']);
    assert.equal(parsed.entries[1]?.instance, undefined);
  });

  it('reports missing fields and a missing rubric list, pointing into the instance', () => {
    const text = '[\n  {"source": "s", "system": "", "prompt": "p", "rubrics": []},\n  {"source": "s", "system": "", "prompt": "p", "reference_answer": "r"}\n]';
    const parsed = parseBenchText(text);
    const messages = parsed.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    assert.ok(messages.some((m) => /^1:2 Instance 0: add "reference_answer"/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^1:\d+ Instance 0: "rubrics" is empty/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^2:2 Instance 1: add "rubrics"/.test(m)), messages.join('\n'));
    assert.equal(parsed.instances.length, 0);
  });

  it('reports duplicate ids at the second one', () => {
    const list = [syntheticInstance(0), syntheticInstance(1), syntheticInstance(2)].map((x, i) => ({ id: i === 2 ? 'a' : i === 0 ? 'a' : 'b', ...x }));
    const text = JSON.stringify(list, null, 2);
    const parsed = parseBenchText(text);
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0]?.message ?? '', /Instance 2: id "a" is already used by instance 0/);
    assert.equal(textAt(text, parsed.problems[0]!), '"a"');
    assert.deepEqual(parsed.instances.map((i) => i.id), ['a', 'b']);
  });

  it('reports an invalid JSONL line with its line number and keeps the others', () => {
    const lines = syntheticBenchText(3, 'jsonl').split('\n');
    lines[1] = (lines[1] ?? '').slice(0, 200);
    const parsed = parseBenchText(lines.join('\n'));
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0]?.message ?? '', /^Line 2 is not valid JSON/);
    assert.equal(parsed.problems[0]?.line, 1);
    assert.deepEqual(parsed.instances.map((i) => i.id), ['0', '2'], 'ids stay positional across the broken line');
  });

  it('reads a file that starts with a byte-order mark, positions unchanged', () => {
    const parsed = parseBenchText(`\uFEFF${fixture}`);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.instances.length, 4);
    assert.equal(parsed.entries[0]?.range.offset, parseBenchText(fixture).entries[0]!.range.offset + 1);
    assert.equal(detectBenchFormat(`\uFEFF${fixture}`), 'json');
  });

  it('reports a syntax error in a JSON list at its position', () => {
    const text = '[\n  {"prompt": "x",, "rubrics": []}\n]';
    const parsed = parseBenchText(text);
    assert.ok(parsed.problems.length >= 1);
    assert.equal(parsed.problems[0]?.line, 1);
    assert.match(parsed.problems[0]?.message ?? '', /JSON syntax error/);
  });

  it('spans agree with jsonc-parser-free ground truth on escapes', () => {
    const text = '{"a\\"b": "x\\\\", "c": [1, true, {"d": "\\u00e9\\""}], "e": null}';
    const root = scanJsonSpans(text);
    assert.deepEqual([...(root?.props?.keys() ?? [])], ['a"b', 'c', 'e']);
    const d = root?.props?.get('c')?.items?.[2]?.props?.get('d');
    assert.equal(text.slice(d?.offset, d?.end), '"\\u00e9\\""');
    assert.equal(text.slice(root?.props?.get('e')?.offset, root?.props?.get('e')?.end), 'null');
  });

  it('parses a full-size bench', () => {
    const text = syntheticBenchText(921);
    const parsed = parseBenchText(text);
    assert.equal(parsed.instances.length, 921);
    assert.equal(parsed.problems.length, 0);
    assert.ok(text.length > 8_000_000, `${text.length} bytes`);
  });
});
