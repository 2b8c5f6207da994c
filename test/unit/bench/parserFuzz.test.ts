// Property test of the bench and persona parsers: valid files mutated a few thousand times per run
// (seeded: JANUS_FUZZ_SEED varies it, JANUS_FUZZ_RUNS sets how many; the seed is in every failure
// message). For every mutated text: no exception escapes; every position a problem or entry
// reports is a real position of the text (checked against lines split here, independently of the
// parsers' line map); the preview of a range equals the full parse there; and a re-parse after an
// edit equals a full parse of the edited text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { reparseEdit } from '../../../src/core/bench/benchEdit';
import type { BenchEdit } from '../../../src/core/bench/benchEdit';
import { detectBenchFormat, parseBenchText } from '../../../src/core/bench/benchFile';
import { benchParseSteps, previewBench, runSteps } from '../../../src/core/bench/benchSteps';
import { parsePersonaText } from '../../../src/core/preferences/personaText';
import { serializePersona } from '../../../src/core/preferences/persona';
import { createRandom } from '../../../src/engine/tinyModel';
import { syntheticBenchText } from '../../fixtures/bench/syntheticBench';
import { aPersona, aRubric } from '../preferences/builders';

const seed = Number(process.env['JANUS_FUZZ_SEED'] ?? 20261208);
const runs = Number(process.env['JANUS_FUZZ_RUNS'] ?? 2500);

const pieces = ['{', '}', '[', ']', '"', ',', ':', '\\', '\\q', '\\u12', '\\"', '\r', '\n', '\r\n', ' ', '\t', 'null', '1e5', '-', '\uFEFF', '\uD800', 'é', '"id"', '"prompt"', '"rubrics"', '"rubric"', '"\\u0070rompt"', '/*', '//', '0', 'true'];

function mutate(text: string, next: () => number): { text: string; edit: BenchEdit } {
  const pick = (n: number): number => Math.floor(next() * n);
  const offset = pick(text.length + 1);
  switch (pick(6)) {
    case 0: {
      const piece = pieces[pick(pieces.length)] ?? '';
      return { text: text.slice(0, offset) + piece + text.slice(offset), edit: { offset, length: 0, text: piece } };
    }
    case 1: {
      const length = Math.min(text.length - offset, 1 + pick(20));
      return { text: text.slice(0, offset) + text.slice(offset + length), edit: { offset, length, text: '' } };
    }
    case 2:
      return { text: text.slice(0, offset), edit: { offset, length: text.length - offset, text: '' } };
    case 3: {
      const from = pick(text.length + 1);
      const copy = text.slice(from, from + 1 + pick(40));
      return { text: text.slice(0, offset) + copy + text.slice(offset), edit: { offset, length: 0, text: copy } };
    }
    case 4: {
      const at = text.indexOf('\n', offset);
      if (at < 0) return { text: `${text}\r`, edit: { offset: text.length, length: 0, text: '\r' } };
      return { text: `${text.slice(0, at)}\r${text.slice(at)}`, edit: { offset: at, length: 0, text: '\r' } };
    }
    default: {
      const piece = pieces[pick(pieces.length)] ?? '';
      const length = Math.min(text.length - offset, 1);
      return { text: text.slice(0, offset) + piece + text.slice(offset + length), edit: { offset, length, text: piece } };
    }
  }
}

/** Line starts and content ends, split here on \r\n, \r and \n (the editor's rule). */
function linesOf(text: string): { start: number; end: number }[] {
  const lines: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\r' || c === '\n') {
      lines.push({ start, end: i });
      if (c === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  lines.push({ start, end: text.length });
  return lines;
}

interface Positioned {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** Why this range is not a range of the text, or undefined when it is. */
function outside(text: string, lines: readonly { start: number; end: number }[], p: Positioned): string | undefined {
  const offsetOf = (line: number, column: number, what: string): number | string => {
    const l = lines[line];
    if (!l || line < 0) return `${what} line ${line} of ${lines.length}`;
    if (column < 0 || column > l.end - l.start) return `${what} column ${column} past the ${l.end - l.start} characters of line ${line}${text[l.end] === '\r' && column === l.end - l.start + 1 ? ' (between \\r and \\n)' : ''}`;
    return l.start + column;
  };
  const start = offsetOf(p.line, p.column, 'start');
  if (typeof start === 'string') return start;
  const end = offsetOf(p.endLine, p.endColumn, 'end');
  if (typeof end === 'string') return end;
  return end < start ? `end before start (${start} > ${end})` : undefined;
}

interface Failure {
  readonly kind: string;
  readonly detail: string;
}

function guard(failures: Failure[], kind: string, text: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push({ kind: `${kind}: ${error instanceof assert.AssertionError ? 'mismatch' : `throws ${error instanceof Error ? error.name : 'value'}`}`, detail: `${message.slice(0, 300)} on ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text)}` });
  }
}

function checkBench(text: string, edit: BenchEdit, base: string, next: () => number, failures: Failure[]): void {
  const lines = linesOf(text);
  guard(failures, 'detectBenchFormat', text, () => void detectBenchFormat(text));
  guard(failures, 'parseBenchText', text, () => {
    const parsed = parseBenchText(text);
    for (const problem of parsed.problems) {
      const why = outside(text, lines, problem);
      if (why) failures.push({ kind: `bench problem position: ${why.replace(/\d+/g, 'N')}`, detail: `${problem.message} ${why} in ${JSON.stringify(text.slice(-120))}` });
    }
    for (const entry of parsed.entries) {
      const why = outside(text, lines, entry.range);
      if (why) failures.push({ kind: `bench entry position: ${why.replace(/\d+/g, 'N')}`, detail: why });
    }
    // The preview of a window equals the full parse there, whenever the full parse has entries.
    const from = Math.floor(next() * (text.length + 1));
    const to = Math.min(text.length, from + Math.floor(next() * 4000));
    const preview = previewBench(text, from, to);
    if (preview && parsed.entries.length > 0) {
      for (const entry of preview.entries) {
        const full = parsed.entries.find((e) => e.index === entry.index);
        assert.deepEqual(entry, full, `preview of [${from}, ${to}] instance ${entry.index}`);
      }
    }
    // A prefix, as the editor reads it before the rest: never throws.
    void previewBench(text.slice(0, to), from, to);
  });
  // The edit that made this text, re-parsed on the base's parse, equals a full parse.
  guard(failures, 'reparseEdit', text, () => {
    const state = runSteps(benchParseSteps(base));
    const next = reparseEdit(state, edit, (a, b) => text.slice(a, b));
    if (next) assert.deepEqual(next.parsed, parseBenchText(text), `re-parse of ${JSON.stringify(edit)}`);
  });
}

function checkPersona(text: string, failures: Failure[]): void {
  const lines = linesOf(text);
  guard(failures, 'parsePersonaText', text, () => {
    const result = parsePersonaText(text);
    for (const problem of result.problems) {
      const why = outside(text, lines, problem);
      if (why) failures.push({ kind: `persona problem position: ${why.replace(/\d+/g, 'N')}`, detail: `${problem.message} ${why} in ${JSON.stringify(text.slice(-120))}` });
    }
  });
}

const small = [1, 2, 3].map((i) => ({ id: `q${i}`, source: 's', system: 'sys', prompt: 'p', reference_answer: 'r', rubrics: [aRubric()] }));
const fixture = readFileSync(path.join(__dirname, '../../fixtures/bench/small.bench.json'), 'utf8');
const benchSeeds = [
  fixture,
  syntheticBenchText(2, 'jsonl'),
  syntheticBenchText(2, 'jsonl').replace(/\n/g, '\r\n'),
  JSON.stringify(JSON.parse(fixture), null, 1).replace(/\n/g, '\r\n'),
  // Short strings, so most mutations land on structure.
  JSON.stringify(small, null, 2),
  `${small.map((x) => JSON.stringify(x)).join('\r\n')}\r\n`,
];
const personaSeeds = [serializePersona(aPersona()), serializePersona(aPersona({ rubrics: [aRubric()], notes: 'n' })).replace(/\n/g, '\r\n')];

describe(`parsers under mutation (seed ${seed}, ${runs} runs; JANUS_FUZZ_SEED / JANUS_FUZZ_RUNS to vary)`, function () {
  this.timeout(300_000);

  it('the reported cases from issue 10 hold', () => {
    assert.equal(detectBenchFormat('[{"\\q": 1}]'), undefined);
    assert.equal(detectBenchFormat('[{"\\u0070rompt": "p", "rubrics": []}]'), 'json', 'an escaped key still names the field');
    // A JSONL line with CRLF that ends early: the problem starts at the end of that line, not after its \r.
    const line = JSON.stringify(small[0]);
    for (const text of [`${line}\r\n{"a":\r\n${line}\r\n`, `${line}\r\n[1]\r\n`, '', '{"a": ', '[']) {
      const lines = linesOf(text);
      for (const problem of parseBenchText(text).problems) assert.equal(outside(text, lines, problem), undefined, `${problem.message} in ${JSON.stringify(text)}`);
      for (const problem of parsePersonaText(text).problems) assert.equal(outside(text, lines, problem), undefined, `${problem.message} in ${JSON.stringify(text)}`);
    }
  });

  it('no exception escapes, every position lies in the text, preview and re-parse equal a full parse', () => {
    const next = createRandom(seed);
    const failures: Failure[] = [];
    for (let run = 0; run < runs; run++) {
      const bench = benchSeeds[run % benchSeeds.length] ?? '';
      // One to three mutations; the last one is the edit the re-parse is given.
      let text = bench;
      let edit: BenchEdit = { offset: 0, length: 0, text: '' };
      let base = bench;
      for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
        base = text;
        ({ text, edit } = mutate(text, next));
      }
      checkBench(text, edit, base, next, failures);
      const persona = personaSeeds[run % personaSeeds.length] ?? '';
      let personaText = persona;
      for (let k = 1 + Math.floor(next() * 3); k > 0; k--) personaText = mutate(personaText, next).text;
      checkPersona(personaText, failures);
    }
    const kinds = new Map<string, { count: number; example: string }>();
    for (const f of failures) {
      const known = kinds.get(f.kind);
      kinds.set(f.kind, { count: (known?.count ?? 0) + 1, example: known?.example ?? f.detail });
    }
    const report = [...kinds].map(([kind, { count, example }]) => `- ${kind} (${count}x), e.g. ${example}`).join('\n');
    assert.equal(failures.length, 0, `seed ${seed} (JANUS_FUZZ_SEED=${seed} to repeat): ${kinds.size} kinds of failure:\n${report}`);
  });
});
