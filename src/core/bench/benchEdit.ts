/**
 * Re-parse after an edit inside one instance: only that instance is parsed again, the ones after
 * it move by the edit's length and line count, and the file-wide checks (duplicate ids) run over
 * the entries again. The result equals a full parse of the new text (the unit tests compare them);
 * an edit this cannot place (across instances, between them, breaking the JSON, several at once)
 * returns undefined and the caller parses the whole file.
 */
import type { BenchEntry, BenchProblem } from './benchFile';
import type { BenchLines, EntryState } from './benchInstance';
import { entryFor } from './benchInstance';
import type { BenchParseState } from './benchSteps';
import { assemble } from './benchSteps';
import { scanJsonSpans } from './jsonSpans';
import type { SourceRange } from '../text/lineMap';
import { LineMap } from '../text/lineMap';

/** One replacement in the parsed text: `length` characters at `offset` become `text`. */
export interface BenchEdit {
  readonly offset: number;
  readonly length: number;
  readonly text: string;
}

/** Positions inside a slice of the file: offsets count from the slice, ranges are the file's. */
class SliceLines implements BenchLines {
  private readonly map: LineMap;

  constructor(
    slice: string,
    private readonly start: { readonly offset: number; readonly line: number; readonly column: number },
  ) {
    this.map = new LineMap(slice);
  }

  private position(offset: number): { line: number; column: number } {
    const p = this.map.position(offset);
    return p.line === 0 ? { line: this.start.line, column: this.start.column + p.column } : { line: this.start.line + p.line, column: p.column };
  }

  range(offset: number, length: number): SourceRange {
    const a = this.position(offset);
    const b = this.position(offset + length);
    return { offset: this.start.offset + offset, length, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }
}

function moved(r: SourceRange, by: number, lines: number): SourceRange {
  return { ...r, offset: r.offset + by, line: r.line + lines, endLine: r.endLine + lines };
}

function movedEntry(state: EntryState, by: number, lines: number): EntryState {
  if (by === 0 && lines === 0) return state;
  const e = state.entry;
  const entry: BenchEntry = { ...e, range: moved(e.range, by, lines), rubrics: e.rubrics.map((r) => ({ range: moved(r.range, by, lines), criteria: r.criteria && moved(r.criteria, by, lines) })) };
  const problems: readonly BenchProblem[] = lines === 0 ? state.problems : state.problems.map((p) => ({ ...p, line: p.line + lines, endLine: p.endLine + lines }));
  return { entry, problems, idAt: moved(state.idAt, by, lines) };
}

/** The entry whose braces strictly enclose `[from, to)`, by binary search (entries are in file order). */
function enclosing(entries: readonly EntryState[], from: number, to: number): number {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = entries[mid]?.entry.range;
    if (!r) return -1;
    if (from <= r.offset) hi = mid - 1;
    else if (from >= r.offset + r.length) lo = mid + 1;
    else return to < r.offset + r.length ? mid : -1;
  }
  return -1;
}

/**
 * The parse after `edit`, reading only the edited instance's new text (`slice(from, to)` of the
 * new document: an editor has it without joining the whole 10 MB document).
 */
export function reparseEdit(state: BenchParseState, edit: BenchEdit, slice: (from: number, to: number) => string): BenchParseState | undefined {
  const i = enclosing(state.entries, edit.offset, edit.offset + edit.length);
  const old = state.entries[i];
  // A list with items that are not objects keeps problems between the entries: parse it all.
  if (!old || (state.format === 'json' && state.rawProblems.length > 0)) return undefined;
  const by = edit.text.length - edit.length;
  const { range } = old.entry;
  const text = slice(range.offset, range.offset + range.length + by);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const span = scanJsonSpans(text);
  if (span?.kind !== 'object' || span.end !== text.length || typeof value !== 'object' || value === null) return undefined;
  const fresh = entryFor({ index: old.entry.index, value, span }, new SliceLines(text, range));
  const lines = fresh.entry.range.endLine - range.endLine;
  const next = state.entries[i + 1];
  // What follows must start on a later line than the edit, so only its line moves, not its column;
  // in JSONL a line break would change which text is which instance.
  if ((next && next.entry.range.line <= range.endLine) || (state.format === 'jsonl' && lines !== 0)) return undefined;
  const entries = state.entries.map((s, j) => (j < i ? s : j === i ? fresh : movedEntry(s, by, lines)));
  return { format: state.format, rawProblems: state.rawProblems, entries, parsed: assemble(state.format, state.rawProblems, entries) };
}
