/**
 * Bench files with source positions: which instance starts where, where each rubric's `criteria`
 * is (for CodeLens and hovers), and every problem at the line and column to fix. Valid instances
 * are returned even when others are broken, so one bad instance never hides the rest.
 */
import type { BenchInstance } from './benchSchema';
import { benchParseSteps, runSteps } from './benchSteps';
import { scanJsonSpans } from './jsonSpans';
import type { SourceRange } from '../text/lineMap';

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

/** Parses bench file text (JSON list or JSONL, told apart by content) with positions. */
export function parseBenchText(source: string): ParsedBench {
  return runSteps(benchParseSteps(source)).parsed;
}
