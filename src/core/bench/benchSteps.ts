/**
 * The bench parse in small steps, so an editor can run it between other work: the generator
 * yields after each unit (the line map, `JSON.parse` of a list, each instance), the caller decides
 * how many units fit a time slice. `parseBenchText` runs the same steps at once, so a parse in
 * slices gives exactly what a parse at once gives. Also here: lenses' view of only the visible
 * instances before the whole file is parsed, and the re-parse of one instance after an edit
 * inside it.
 */
import type { BenchEntry, BenchFormat, BenchProblem, ParsedBench } from './benchFile';
import type { BenchLines, EntryState, RawInstance } from './benchInstance';
import { entryFor, problem, problemAt, syntaxProblems } from './benchInstance';
import type { JsonSpan } from './jsonSpans';
import { scanJsonSpans, stringEnd } from './jsonSpans';
import type { SourceRange } from '../text/lineMap';
import { LineMap } from '../text/lineMap';

/** A finished parse with what re-parsing one instance needs. */
export interface BenchParseState {
  readonly format: BenchFormat;
  /** Problems found before the instances: syntax, items that are not objects. */
  readonly rawProblems: readonly BenchProblem[];
  readonly entries: readonly EntryState[];
  readonly parsed: ParsedBench;
}

export type BenchSteps = Generator<void, BenchParseState, void>;

/** A byte-order mark (editors on Windows add one) becomes a space: JSON.parse rejects the mark,
 * and a same-length replacement keeps every offset and column true to the file. */
function withoutMark(source: string): string {
  return source.charCodeAt(0) === 0xfeff ? ` ${source.slice(1)}` : source;
}

interface ItemSpan {
  readonly offset: number;
  readonly end: number;
  readonly kind: JsonSpan['kind'];
}

function isDelimiter(c: number): boolean {
  return c === 44 || c === 125 || c === 93 || c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * The items of the JSON list whose `[` is at `open`, as `scanJsonSpans` would bound them, without
 * building their insides; stops after the first item starting past `until`. `complete` is false
 * when the text ended inside an item (a prefix of a longer document).
 */
export function listItems(text: string, open: number, until = Infinity): { items: ItemSpan[]; complete: boolean } {
  const items: ItemSpan[] = [];
  let i = open + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 93 /* ] */) return { items, complete: true };
    if (c === 44 || c === 32 || c === 10 || c === 13 || c === 9 || c === 58) {
      i++;
      continue;
    }
    let end = -1;
    let kind: ItemSpan['kind'] = 'value';
    if (c === 123 || c === 91) {
      kind = c === 123 ? 'object' : 'array';
      let depth = 0;
      for (let j = i; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 34) j = stringEnd(text, j);
        else if (d === 123 || d === 91) depth++;
        else if ((d === 125 || d === 93) && --depth === 0) {
          end = j + 1;
          break;
        }
      }
    } else if (c === 34) {
      const close = stringEnd(text, i);
      end = text.charCodeAt(close) === 34 && close > i ? close + 1 : -1;
    } else {
      end = i + 1;
      while (end < text.length && !isDelimiter(text.charCodeAt(end))) end++;
      if (end === text.length) end = -1;
    }
    // The text ends inside this item: only a problem when the caller wants the item.
    if (end < 0) return { items, complete: i > until };
    items.push({ offset: i, end, kind });
    if (i > until) return { items, complete: true };
    i = end;
  }
  // The text ends between items: whatever follows starts past it.
  return { items, complete: true };
}

const jsonSpace = /^[ \t\n\r]*$/;
const comma = /^[ \t\n\r]*,[ \t\n\r]*$/;
const close = /^[ \t\n\r]*\][ \t\n\r]*$/;

/**
 * A list's values one item per step, so no single `JSON.parse` of 10 MB holds the host: only when
 * the text is `[`, items separated by single commas, `]`, with JSON whitespace around (then it is
 * valid exactly when every item is). Undefined for anything else, which the whole-text parse judges.
 */
function* listValues(text: string): Generator<void, { values: unknown[]; items: ItemSpan[] } | undefined, void> {
  const open = text.indexOf('[');
  if (!jsonSpace.test(text.slice(0, open))) return undefined;
  const { items } = listItems(text, open);
  const gaps = items.map((item, k) => text.slice(k === 0 ? open + 1 : (items[k - 1]?.end ?? 0), item.offset));
  if (!gaps.every((gap, k) => (k === 0 ? jsonSpace : comma).test(gap)) || !close.test(text.slice(items[items.length - 1]?.end ?? open + 1))) return undefined;
  yield;
  const values: unknown[] = [];
  for (const item of items) {
    try {
      values.push(JSON.parse(text.slice(item.offset, item.end)));
    } catch {
      return undefined;
    }
    yield;
  }
  return { values, items };
}

function* rawFromList(text: string, lines: BenchLines, problems: BenchProblem[]): Generator<void, RawInstance[], void> {
  let listed = yield* listValues(text);
  if (!listed) {
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch {
      problems.push(...syntaxProblems(text, 0, lines, 'The bench file'));
      return [];
    }
    yield;
    if (!Array.isArray(values)) {
      const root = scanJsonSpans(text);
      problems.push(problem(lines, root?.offset ?? 0, 1, 'A bench file holds a JSON list of instances (or one instance per line, JSONL).'));
      return [];
    }
    listed = { values, items: listItems(text, text.indexOf('[')).items };
  }
  const { values, items } = listed;
  const raws: RawInstance[] = [];
  values.forEach((value: unknown, index) => {
    const item = items[index];
    if (!item) return;
    if (item.kind !== 'object') {
      problems.push(problem(lines, item.offset, item.end - item.offset, `Instance ${index} must be an object with source, system, prompt, reference_answer and rubrics.`, index));
      return;
    }
    // The instance's own spans are scanned when its entry is built, one instance per step.
    raws.push({ index, value, span: { kind: 'object', offset: item.offset, end: item.end } });
  });
  return raws;
}

function* rawFromLines(text: string, lines: BenchLines, problems: BenchProblem[]): Generator<void, RawInstance[], void> {
  const raws: RawInstance[] = [];
  let index = 0;
  let lineNumber = 0;
  for (let start = 0; start <= text.length; lineNumber++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end);
    if (line.trim() !== '') {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        problems.push(...syntaxProblems(text.slice(0, end), start, lines, `Line ${lineNumber + 1} is not valid JSON (JSONL holds one instance per line)`).slice(0, 1));
        index++;
        start = end + 1;
        continue;
      }
      const span = scanJsonSpans(text, start, end);
      if (span?.kind === 'object' && typeof value === 'object' && value !== null) raws.push({ index, value, span });
      else problems.push(problem(lines, start, line.length, `Line ${lineNumber + 1} must hold one instance object.`, index));
      index++;
      yield;
    }
    start = end + 1;
  }
  return raws;
}

/** A list item's spans are scanned here, lazily: the list step only bounded it. */
function withSpans(text: string, raw: RawInstance): RawInstance {
  return raw.span.props ? raw : { ...raw, span: scanJsonSpans(text, raw.span.offset, raw.span.end) ?? raw.span };
}

/** The file-wide part: duplicate ids, and the problems and instances in file order. */
export function assemble(format: BenchFormat, rawProblems: readonly BenchProblem[], states: readonly EntryState[]): ParsedBench {
  const problems = [...rawProblems, ...states.flatMap((s) => s.problems)];
  const seen = new Map<string, number>();
  for (const { entry, idAt } of states) {
    const previous = seen.get(entry.id);
    if (previous === undefined) {
      seen.set(entry.id, entry.index);
      continue;
    }
    problems.push(problemAt(idAt, `Instance ${entry.index}: id "${entry.id}" is already used by instance ${previous}; ids must be unique (change or remove it).`, entry.index));
  }
  const duplicated = new Set(problems.filter((p) => p.message.includes('is already used')).map((p) => p.index));
  const entries = states.map((s) => s.entry);
  const instances = entries.flatMap((e) => (e.instance && !duplicated.has(e.index) ? [e.instance] : []));
  return { format, entries, instances, problems };
}

/** The steps of parsing bench file text (JSON list or JSONL, told apart by content). */
export function* benchParseSteps(source: string): BenchSteps {
  const text = withoutMark(source);
  const lines = new LineMap(text);
  const first = text.search(/\S/);
  if (first < 0) {
    const rawProblems = [problem(lines, 0, 0, 'The bench file is empty.')];
    return { format: 'json', rawProblems, entries: [], parsed: assemble('json', rawProblems, []) };
  }
  yield;
  const format: BenchFormat = text[first] === '[' ? 'json' : 'jsonl';
  const rawProblems: BenchProblem[] = [];
  const raws = format === 'json' ? yield* rawFromList(text, lines, rawProblems) : yield* rawFromLines(text, lines, rawProblems);
  const entries: EntryState[] = [];
  for (const raw of raws) {
    entries.push(entryFor(withSpans(text, raw), lines));
    yield;
  }
  return { format, rawProblems, entries, parsed: assemble(format, rawProblems, entries) };
}

export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** What lenses need before the whole file is parsed: the instances in a range of offsets. */
export interface BenchPreview {
  readonly format: BenchFormat;
  readonly entries: readonly BenchEntry[];
  /** False when `text` ended inside an instance that starts in the range: ask again with more text. */
  readonly complete: boolean;
}

/**
 * The entries of the instances overlapping `[from, to]`, reading `text` (the document's start,
 * or all of it) only as far as those instances. An instance that is not valid JSON on its own is
 * left out; a file-wide problem (a syntax error elsewhere, a duplicate id) shows only in the full
 * parse, which follows.
 */
export function previewBench(source: string, from: number, to: number): BenchPreview | undefined {
  const text = withoutMark(source);
  const first = text.search(/\S/);
  if (first < 0) return undefined;
  const format: BenchFormat = text[first] === '[' ? 'json' : 'jsonl';
  const raws: RawInstance[] = [];
  let complete = true;
  if (format === 'json') {
    const listed = listItems(text, first, to);
    complete = listed.complete;
    listed.items.forEach((item, index) => {
      if (item.kind !== 'object' || item.end < from || item.offset > to) return;
      const value = parseOrUndefined(text.slice(item.offset, item.end));
      if (value !== undefined) raws.push({ index, value, span: { kind: 'object', offset: item.offset, end: item.end } });
    });
  } else {
    let index = 0;
    for (let start = 0; start < text.length && start <= to; ) {
      const newline = text.indexOf('\n', start);
      const end = newline < 0 ? text.length : newline;
      const line = text.slice(start, end);
      if (line.trim() !== '') {
        const value = end >= from ? parseOrUndefined(line) : undefined;
        const span = typeof value === 'object' && value !== null ? scanJsonSpans(text, start, end) : undefined;
        if (span?.kind === 'object') raws.push({ index, value, span });
        // A last line that does not parse may be cut short by the end of the text.
        else if (end >= from && newline < 0) complete = false;
        index++;
      }
      start = end + 1;
    }
  }
  const last = raws[raws.length - 1];
  const lines = new LineMap(last ? text.slice(0, last.span.end) : '');
  return { format, entries: raws.map((raw) => entryFor(withSpans(text, raw), lines).entry), complete };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
