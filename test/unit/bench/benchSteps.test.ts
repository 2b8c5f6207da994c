import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { reparseEdit } from '../../../src/core/bench/benchEdit';
import type { BenchEdit } from '../../../src/core/bench/benchEdit';
import { parseBenchText } from '../../../src/core/bench/benchFile';
import type { BenchParseState } from '../../../src/core/bench/benchSteps';
import { benchParseSteps, previewBench, runSteps } from '../../../src/core/bench/benchSteps';
import { syntheticBenchText } from '../../fixtures/bench/syntheticBench';

const fixture = readFileSync(path.join(__dirname, '../../fixtures/bench/small.bench.json'), 'utf8');

function apply(text: string, edit: BenchEdit): string {
  return text.slice(0, edit.offset) + edit.text + text.slice(edit.offset + edit.length);
}

/** Re-parses `edit` on `text`'s parse and checks the result against a full parse of the new text. */
function reparsed(text: string, edit: BenchEdit, state: BenchParseState = runSteps(benchParseSteps(text))): BenchParseState | undefined {
  const after = apply(text, edit);
  const next = reparseEdit(state, edit, (from, to) => after.slice(from, to));
  if (next) assert.deepEqual(next.parsed, parseBenchText(after), `edit ${JSON.stringify(edit)}`);
  return next;
}

function at(text: string, needle: string, from = 0): number {
  const offset = text.indexOf(needle, from);
  assert.ok(offset >= 0, `${needle} is in the text`);
  return offset;
}

describe('bench parse in steps', () => {
  it('yields between instances, and the steps give what a parse at once gives', () => {
    const text = syntheticBenchText(40);
    const steps = benchParseSteps(text);
    let yields = 0;
    let next = steps.next();
    while (!next.done) {
      yields++;
      next = steps.next();
    }
    assert.ok(yields >= 40, `at least one step per instance (${yields})`);
    assert.deepEqual(next.value.parsed, parseBenchText(text));
  });

  it('tells syntax errors in a JSON list from a well-formed list, item by item or whole', () => {
    for (const text of ['[{"prompt": "a"},]', '[,{"prompt": "a"}]', '[{"prompt": "a"} {"b": 1}]', '[{"prompt": "a"}] x', '[{"a": 1}', '[{"a": 1}]]', '[1 2]']) {
      const parsed = parseBenchText(text);
      assert.equal(parsed.entries.length, 0, text);
      assert.match(parsed.problems[0]?.message ?? '', /^The bench file: JSON syntax error/, text);
    }
    assert.deepEqual(parseBenchText(' [ ] ').problems, []);
    assert.equal(parseBenchText('[1, {"prompt": "a"}]').problems[0]?.message, 'Instance 0 must be an object with source, system, prompt, reference_answer and rubrics.');
  });
});

describe('bench re-parse of one edited instance', () => {
  const list = syntheticBenchText(6);
  const lines = syntheticBenchText(6, 'jsonl');

  it('re-parses an edit inside a string, in a JSON list and in JSONL, as a full parse would', () => {
    for (const text of [list, lines]) {
      const offset = at(text, 'Question 2') + 3;
      assert.ok(reparsed(text, { offset, length: 2, text: 'ZZZ' }), 'handled inside the instance');
    }
  });

  it('moves the instances after an edit that adds lines, and reports a problem it brings', () => {
    const offset = at(list, '"criteria"', at(list, 'Question 1'));
    const next = reparsed(list, { offset, length: 0, text: '"note": "x",\n\n' });
    assert.ok(next);
    assert.equal(next.parsed.problems.length, 1);
    assert.match(next.parsed.problems[0]?.message ?? '', /unknown field "note"/);
    assert.equal(next.parsed.entries[2]?.range.line, (parseBenchText(list).entries[2]?.range.line ?? 0) + 2);
  });

  it('finds a duplicate id an edit makes, and its repair', () => {
    const withIds = `${JSON.stringify([{ ...JSON.parse(fixture)[0], id: 'a' }, { ...JSON.parse(fixture)[1], id: 'b' }], null, 2)}\n`;
    const offset = at(withIds, '"b"') + 1;
    const next = reparsed(withIds, { offset, length: 1, text: 'a' });
    assert.ok(next);
    assert.match(next.parsed.problems[0]?.message ?? '', /id "a" is already used by instance 0/);
    assert.equal(next.parsed.instances.length, 1);
    const after = apply(withIds, { offset, length: 1, text: 'a' });
    assert.deepEqual(reparsed(after, { offset, length: 1, text: 'c' }, next)?.parsed.problems, []);
  });

  it('leaves to a full parse what it cannot place: breaking JSON, across instances, line breaks in JSONL, a one-line list', () => {
    const quote = at(list, 'Question 3');
    assert.equal(reparsed(list, { offset: quote, length: 0, text: '"' }), undefined, 'breaks the JSON');
    const second = parseBenchText(list).entries[1]?.range;
    assert.ok(second);
    assert.equal(reparsed(list, { offset: second.offset - 3, length: 6, text: '' }), undefined, 'across two instances');
    assert.equal(reparsed(list, { offset: second.offset, length: 1, text: '{' }), undefined, 'the brace itself');
    assert.equal(reparsed(lines, { offset: at(lines, '"prompt"'), length: 0, text: '\n' }), undefined, 'a line break in JSONL');
    const oneLine = JSON.stringify(JSON.parse(list));
    assert.equal(reparsed(oneLine, { offset: at(oneLine, 'Question 1'), length: 1, text: 'q' }), undefined, 'the next instance shares the line');
    assert.ok(reparsed(oneLine, { offset: at(oneLine, 'Question 5'), length: 1, text: 'q' }), 'the last one has nothing after it');
  });
});

describe('bench re-parse against full parses, edit after edit', function () {
  // Two full parses per edit (the check and the next state): about a second on a loaded machine.
  this.timeout(10_000);

  it('gives what a full parse gives for every edit it handles, and handles typing inside instances', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const typed = ['x', ' ', '\n', '"', '\\"', ',', '}', '{', '"extra": 1, ', '\r\n', 'é', ''];
    for (const start of [syntheticBenchText(3), syntheticBenchText(3, 'jsonl'), fixture.replace(/\n/g, '\r\n')]) {
      let text = start;
      let state = runSteps(benchParseSteps(text));
      let handled = 0;
      for (let k = 0; k < 100; k++) {
        const offset = random(text.length);
        const edit = { offset, length: Math.min(random(4) === 0 ? random(30) : 0, text.length - offset), text: typed[random(typed.length)] ?? '' };
        const next = reparsed(text, edit, state);
        if (next) handled++;
        text = apply(text, edit);
        state = next ?? runSteps(benchParseSteps(text));
        // Keep editing a bench, not a ruin: start over once an edit broke it.
        if (state.parsed.problems.length > 0) {
          text = start;
          state = runSteps(benchParseSteps(text));
        }
      }
      assert.ok(handled > 20, `most edits inside instances were handled there (${handled} of 100)`);
    }
  });
});

describe('bench preview of the visible instances', () => {
  it('gives the entries a full parse gives for the instances in a range, reading only up to them', () => {
    for (const text of [syntheticBenchText(12), syntheticBenchText(12, 'jsonl'), syntheticBenchText(12).replace(/\n/g, '\r\n')]) {
      const full = parseBenchText(text).entries;
      const third = full[2]?.range;
      const fifth = full[4]?.range;
      assert.ok(third && fifth);
      const preview = previewBench(text.slice(0, fifth.offset + fifth.length + 10), third.offset + 5, fifth.offset);
      assert.equal(preview?.complete, true);
      assert.deepEqual(preview?.entries, full.slice(2, 5));
    }
  });

  it('says when the text read ends inside an instance it should show, and leaves out one that is not valid JSON', () => {
    const text = syntheticBenchText(4);
    const second = parseBenchText(text).entries[1]?.range;
    assert.ok(second);
    assert.equal(previewBench(text.slice(0, second.offset + 50), 0, second.offset + 10)?.complete, false);
    assert.equal(previewBench(text.slice(0, second.offset + 50), 0, second.offset - 10)?.complete, true);
    // Quotes and braces still balanced: the instance is found, and fails to parse on its own.
    const broken = text.replace('"prompt": "Question 1', '"prompt" "Question 1');
    assert.deepEqual(previewBench(broken, 0, broken.length)?.entries.map((e) => e.id), ['0', '2', '3']);
    assert.equal(previewBench('   ', 0, 3), undefined);
  });
});
