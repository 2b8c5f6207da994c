/**
 * The columns of a Multifaceted Bench Parquet, checked before any row is read: the two published
 * revisions are `source`, `preference_set` (list of { dimension, subdimension, preference,
 * description }), `system`, `prompt`, `reference_answer`, `rubrics` (list of { criteria,
 * score_descriptions { "1".."5" } }), and the older one with `rubric` and no `preference_set`.
 * A problem names the column (`rubrics.score_descriptions`) and what it should be.
 */
import type { SchemaTree } from 'hyparquet';
import { BENCH_FIELD_HELP } from './benchSchema';

export const textColumns = ['source', 'system', 'prompt', 'reference_answer'] as const;
export const scoreKeys = ['1', '2', '3', '4', '5'] as const;
export const preferenceFields = ['dimension', 'subdimension', 'preference', 'description'] as const;

export type RubricColumn = 'rubrics' | 'rubric';

export interface BenchColumns {
  /** `rubrics` (current revision) or `rubric` (older one). */
  readonly rubricColumn: RubricColumn;
  readonly hasPreferenceSet: boolean;
  /** The top-level columns to read: the others (a dataset may carry more) are never decoded. */
  readonly read: readonly string[];
}

function child(node: SchemaTree, name: string): SchemaTree | undefined {
  return node.children.find((c) => c.element.name === name);
}

/** What a column holds, in the words a Parquet viewer shows. */
function typeName(node: SchemaTree): string {
  const e = node.element;
  if (listElement(node)) return 'a list';
  if (node.children.length > 0) return 'a struct';
  const annotation = e.logical_type?.type ?? e.converted_type;
  if (e.type === 'BYTE_ARRAY' && (annotation === undefined || annotation === 'UTF8' || annotation === 'STRING')) return 'a string';
  return `${annotation ?? e.type ?? 'unknown'}`;
}

function isString(node: SchemaTree): boolean {
  return typeName(node) === 'a string';
}

/** The element of a list column (the 3-level `list.element` form, or the legacy 2-level one). */
function listElement(node: SchemaTree): SchemaTree | undefined {
  const repeated = node.children.length === 1 ? node.children[0] : undefined;
  if (repeated?.element.repetition_type !== 'REPEATED') return undefined;
  const inner = repeated.children.length === 1 ? repeated.children[0] : undefined;
  return inner && (repeated.element.name === 'list' || repeated.element.name === 'array' || repeated.element.name.endsWith('_tuple')) ? inner : repeated;
}

function checkStruct(node: SchemaTree | undefined, column: string, fields: readonly string[], problems: string[]): void {
  if (!node) return;
  if (node.children.length === 0) {
    problems.push(`column ${column} is ${typeName(node)}; expected a struct of ${fields.map((f) => `"${f}"`).join(', ')}`);
    return;
  }
  for (const field of fields) {
    const sub = child(node, field);
    const help = BENCH_FIELD_HELP[field];
    if (!sub) problems.push(`column ${column} has no field "${field}"${help ? ` (${help})` : ''}`);
    else if (field !== 'score_descriptions' && !isString(sub)) problems.push(`column ${column}.${field} is ${typeName(sub)}; expected a string`);
  }
}

function checkListOfStructs(node: SchemaTree, column: string, fields: readonly string[], problems: string[]): SchemaTree | undefined {
  const element = listElement(node);
  if (!element) {
    problems.push(`column ${column} is ${typeName(node)}; expected a list of { ${fields.join(', ')} }`);
    return undefined;
  }
  checkStruct(element, column, fields, problems);
  return element;
}

/** The columns to read, or the problems that stop the file from being read at all. */
export function checkBenchColumns(root: SchemaTree): { readonly columns?: BenchColumns; readonly problems: readonly string[] } {
  const problems: string[] = [];
  for (const name of textColumns) {
    const node = child(root, name);
    if (!node) problems.push(`missing column ${name} (${BENCH_FIELD_HELP[name] ?? 'a string'})`);
    else if (!isString(node)) problems.push(`column ${name} is ${typeName(node)}; expected a string`);
  }
  const rubricColumn: RubricColumn | undefined = child(root, 'rubrics') ? 'rubrics' : child(root, 'rubric') ? 'rubric' : undefined;
  const rubricNode = rubricColumn ? child(root, rubricColumn) : undefined;
  if (!rubricNode || !rubricColumn) problems.push(`missing column rubrics (${BENCH_FIELD_HELP['rubrics'] ?? ''}; the older revision calls it rubric)`);
  else {
    const element = checkListOfStructs(rubricNode, rubricColumn, ['criteria', 'score_descriptions'], problems);
    const scores = element ? child(element, 'score_descriptions') : undefined;
    if (scores) checkStruct(scores, `${rubricColumn}.score_descriptions`, scoreKeys, problems);
  }
  const preferences = child(root, 'preference_set');
  if (preferences) checkListOfStructs(preferences, 'preference_set', preferenceFields, problems);
  if (problems.length > 0 || !rubricColumn) return { problems };
  const read = [...textColumns, rubricColumn, ...(preferences ? ['preference_set'] : [])];
  return { columns: { rubricColumn, hasPreferenceSet: preferences !== undefined, read }, problems };
}
