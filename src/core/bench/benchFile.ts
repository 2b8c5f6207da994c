/**
 * Bench files with source positions: which instance starts where, where each rubric's `criteria`
 * is (for CodeLens and hovers), and every problem at the line and column to fix. Valid instances
 * are returned even when others are broken, so one bad instance never hides the rest.
 */
import type { ParseError } from 'jsonc-parser';
import { parseTree, printParseErrorCode } from 'jsonc-parser';
import type * as z from 'zod';
import type { BenchInstance } from './benchSchema';
import { BENCH_FIELD_HELP, rawBenchInstanceSchema } from './benchSchema';
import type { JsonSpan } from './jsonSpans';
import { scanJsonSpans, spanAt } from './jsonSpans';
import type { SourceRange } from '../text/lineMap';
import { LineMap } from '../text/lineMap';

export type BenchFormat = 'json' | 'jsonl';

export interface BenchProblem {
  /** What is wrong and what to do about it. */
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** The instance it belongs to (its position), if any. */
  readonly index?: number;
}

export interface BenchEntry {
  readonly index: number;
  readonly id: string;
  /** The whole instance object. */
  readonly range: SourceRange;
  /** The instance, or undefined when it has problems. */
  readonly instance: BenchInstance | undefined;
  /** One per rubric item in the file: the item and its `criteria` value. */
  readonly rubrics: readonly { readonly range: SourceRange; readonly criteria: SourceRange | undefined }[];
}

export interface ParsedBench {
  readonly format: BenchFormat;
  readonly entries: readonly BenchEntry[];
  /** The valid instances, in file order. */
  readonly instances: readonly BenchInstance[];
  readonly problems: readonly BenchProblem[];
}

const headLength = 256 * 1024;

/**
 * Recognises a bench file by content, whatever its name: a JSON list or JSONL whose first object
 * has `prompt` and `rubrics` (or `rubric`). Looks at the first 256 KB only.
 */
export function detectBenchFormat(text: string): BenchFormat | undefined {
  const start = text.search(/\S/);
  if (start < 0) return undefined;
  const head = text.slice(start, start + headLength);
  const spans = scanJsonSpans(head, head[0] === '[' ? 1 : 0);
  const first = spans?.kind === 'object' ? spans : undefined;
  if (!first?.props?.has('prompt') || !(first.props.has('rubrics') || first.props.has('rubric'))) return undefined;
  if (head[0] === '[') return 'json';
  return head[0] === '{' ? 'jsonl' : undefined;
}

function problem(lines: LineMap, offset: number, length: number, message: string, index?: number): BenchProblem {
  const r = lines.range(offset, Math.max(1, length));
  return { message, line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn, ...(index === undefined ? {} : { index }) };
}

function syntaxProblems(text: string, from: number, lines: LineMap, what: string): BenchProblem[] {
  const errors: ParseError[] = [];
  parseTree(text.slice(from), errors, { disallowComments: true, allowTrailingComma: false });
  const found = errors.map((e) => problem(lines, from + e.offset, e.length, `${what}: JSON syntax error (${printParseErrorCode(e.error)}). Fix the JSON here.`));
  return found.length > 0 ? found : [problem(lines, from, 1, `${what}: not valid JSON.`)];
}

function describe(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/** A message that names the field and says what to write, for one zod issue of one instance. */
function issueMessage(issue: z.core.$ZodIssue, value: unknown, label: string): string {
  const last = issue.path[issue.path.length - 1];
  const help = typeof last === 'string' ? BENCH_FIELD_HELP[last] : undefined;
  let actual: unknown = value;
  for (const part of issue.path) actual = typeof actual === 'object' && actual !== null ? (actual as Record<PropertyKey, unknown>)[part] : undefined;
  const field = `"${describe(issue.path)}"`;
  if (issue.code === 'invalid_type' && actual === undefined) {
    if (last === '1' || last === '2' || last === '3' || last === '4' || last === '5') {
      return `${label}: rubric "${describe(issue.path.slice(0, -1))}" has no description for score ${last}; every rubric needs all five (add ${help}).`;
    }
    return `${label}: add ${field}${help ? ` (${help})` : ''}.`;
  }
  if (issue.code === 'invalid_type') return `${label}: ${field} must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}${help ? ` (${help})` : ''}.`;
  if (issue.code === 'unrecognized_keys') return `${label}: unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')} in ${field || 'the rubric'}; a rubric has only "criteria" and "score_descriptions" "1" to "5".`;
  if (issue.code === 'too_small') return `${label}: ${field} is empty; write ${help ?? 'some text'}.`;
  return `${label}: ${field}: ${issue.message}`;
}

interface RawInstance {
  readonly index: number;
  readonly value: unknown;
  readonly span: JsonSpan;
}

function entryFor(raw: RawInstance, lines: LineMap, problems: BenchProblem[]): BenchEntry {
  const { index, value, span } = raw;
  const rawId = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : String(index);
  const label = `Instance ${index}${rawId === undefined ? '' : ` (id ${id})`}`;
  const rubricKey = span.props?.has('rubrics') ? 'rubrics' : 'rubric';
  const rubricSpans = span.props?.get(rubricKey)?.items ?? [];
  const rubrics = rubricSpans.map((item) => {
    const criteria = item.props?.get('criteria');
    return { range: lines.range(item.offset, item.end - item.offset), criteria: criteria ? lines.range(criteria.offset, criteria.end - criteria.offset) : undefined };
  });
  const base = { index, id, range: lines.range(span.offset, span.end - span.offset), rubrics };
  const result = rawBenchInstanceSchema.safeParse(value);
  const before = problems.length;
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      // A missing field has no span: point at the nearest enclosing key (or the instance's brace).
      let at: JsonSpan | undefined;
      for (let n = path.length; n >= 0 && !at; n--) at = spanAt(span, path.slice(0, n));
      const target = at ?? span;
      const offset = target.keyOffset ?? target.offset;
      const length = target.keyEnd !== undefined ? target.keyEnd - offset : target.kind === 'value' ? target.end - target.offset : 1;
      problems.push(problem(lines, offset, length, issueMessage(issue, value, label), index));
    }
  } else if (!result.data.rubrics && !result.data.rubric) {
    problems.push(problem(lines, span.offset, 1, `${label}: add "rubrics" (${BENCH_FIELD_HELP['rubrics']}).`, index));
  }
  if (!result.success || problems.length > before) return { ...base, instance: undefined };
  const data = result.data;
  const instance: BenchInstance = {
    id,
    index,
    source: data.source,
    system: data.system,
    prompt: data.prompt,
    reference_answer: data.reference_answer,
    ...(data.preference_set ? { preference_set: data.preference_set } : {}),
    rubrics: data.rubrics ?? data.rubric ?? [],
  };
  return { ...base, instance };
}

function rawFromList(text: string, lines: LineMap, problems: BenchProblem[]): RawInstance[] {
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch {
    problems.push(...syntaxProblems(text, 0, lines, 'The bench file'));
    return [];
  }
  const root = scanJsonSpans(text);
  if (!Array.isArray(values) || !root?.items) {
    problems.push(problem(lines, root?.offset ?? 0, 1, 'A bench file holds a JSON list of instances (or one instance per line, JSONL).'));
    return [];
  }
  return values.flatMap((value: unknown, index) => {
    const span = root.items?.[index];
    if (!span) return [];
    if (span.kind !== 'object') {
      problems.push(problem(lines, span.offset, span.end - span.offset, `Instance ${index} must be an object with source, system, prompt, reference_answer and rubrics.`, index));
      return [];
    }
    return [{ index, value, span }];
  });
}

function rawFromLines(text: string, lines: LineMap, problems: BenchProblem[]): RawInstance[] {
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
    }
    start = end + 1;
  }
  return raws;
}

/** Parses bench file text (JSON list or JSONL, told apart by content) with positions. */
export function parseBenchText(source: string): ParsedBench {
  // A byte-order mark (editors on Windows add one) becomes a space: JSON.parse rejects the mark,
  // and a same-length replacement keeps every offset and column true to the file.
  const text = source.charCodeAt(0) === 0xfeff ? ` ${source.slice(1)}` : source;
  const lines = new LineMap(text);
  const problems: BenchProblem[] = [];
  const first = text.search(/\S/);
  if (first < 0) return { format: 'json', entries: [], instances: [], problems: [problem(lines, 0, 0, 'The bench file is empty.')] };
  const format: BenchFormat = text[first] === '[' ? 'json' : 'jsonl';
  const raws = format === 'json' ? rawFromList(text, lines, problems) : rawFromLines(text, lines, problems);
  const entries = raws.map((raw) => entryFor(raw, lines, problems));
  const seen = new Map<string, number>();
  for (const entry of entries) {
    const previous = seen.get(entry.id);
    if (previous === undefined) {
      seen.set(entry.id, entry.index);
      continue;
    }
    const raw = raws.find((r) => r.index === entry.index);
    const idSpan = raw?.span.props?.get('id');
    const at = idSpan ?? raw?.span;
    problems.push(problem(lines, at?.offset ?? 0, at ? at.end - at.offset : 1, `Instance ${entry.index}: id "${entry.id}" is already used by instance ${previous}; ids must be unique (change or remove it).`, entry.index));
  }
  const duplicated = new Set(problems.filter((p) => p.message.includes('is already used')).map((p) => p.index));
  const instances = entries.flatMap((e) => (e.instance && !duplicated.has(e.index) ? [e.instance] : []));
  return { format, entries, instances, problems };
}
