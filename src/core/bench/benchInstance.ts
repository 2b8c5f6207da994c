/**
 * One bench instance with positions: its entry (ranges of the instance, its rubrics and their
 * criteria), its problems at the line and column to fix, and where its id is (for the duplicate
 * check the whole file makes). Shared by the full parse, the visible-range preview and the
 * re-parse of one edited instance, so all three report an instance the same way.
 */
import type { ParseError } from 'jsonc-parser';
import { parseTree, printParseErrorCode } from 'jsonc-parser';
import type * as z from 'zod';
import type { BenchEntry, BenchProblem } from './benchFile';
import type { BenchInstance } from './benchSchema';
import { BENCH_FIELD_HELP, rawBenchInstanceSchema } from './benchSchema';
import type { JsonSpan } from './jsonSpans';
import { spanAt } from './jsonSpans';
import type { SourceRange } from '../text/lineMap';

/** Offsets to lines and columns: the file's line map, or one of a slice placed where it starts. */
export interface BenchLines {
  range(offset: number, length: number): SourceRange;
}

export interface RawInstance {
  readonly index: number;
  readonly value: unknown;
  readonly span: JsonSpan;
}

/** An entry with what the file-wide steps need: its own problems and where its id is. */
export interface EntryState {
  readonly entry: BenchEntry;
  readonly problems: readonly BenchProblem[];
  /** The id's value (or the whole instance when it has none): where a duplicate id is reported. */
  readonly idAt: SourceRange;
}

export function problem(lines: BenchLines, offset: number, length: number, message: string, index?: number): BenchProblem {
  return problemAt(lines.range(offset, Math.max(1, length)), message, index);
}

export function problemAt(r: SourceRange, message: string, index?: number): BenchProblem {
  return { message, line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn, ...(index === undefined ? {} : { index }) };
}

export function syntaxProblems(text: string, from: number, lines: BenchLines, what: string): BenchProblem[] {
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

export function entryFor(raw: RawInstance, lines: BenchLines): EntryState {
  const { index, value, span } = raw;
  const problems: BenchProblem[] = [];
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
  const idSpan = span.props?.get('id') ?? span;
  const idAt = lines.range(idSpan.offset, Math.max(1, idSpan.end - idSpan.offset));
  const result = rawBenchInstanceSchema.safeParse(value);
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
  if (!result.success || problems.length > 0) return { entry: { ...base, instance: undefined }, problems, idAt };
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
  return { entry: { ...base, instance }, problems, idAt };
}
