/**
 * Parsing persona file text with source positions, so a host can show each problem as a
 * diagnostic at the right place and say what to change. Positions are 0-based lines and columns
 * (UTF-16 code units, as VS Code's `Position` counts them); `endLine`/`endColumn` are exclusive.
 */
import type { Node as JsonNode } from 'jsonc-parser';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import type { Persona } from './persona';
import { PERSONA_FIELD_HELP, personaSchema } from './persona';
import { LineMap } from '../text/lineMap';

export interface PersonaProblem {
  /** What is wrong and what to do about it. */
  readonly message: string;
  /** 0-based line of the first character. */
  readonly line: number;
  /** 0-based column of the first character. */
  readonly column: number;
  /** 0-based line of the end (exclusive end position). */
  readonly endLine: number;
  /** 0-based column just past the last character. */
  readonly endColumn: number;
  /** The JSON path of the field, e.g. `['preference_set', 1, 'dimension']`; empty for syntax errors. */
  readonly path: readonly (string | number)[];
}

export type PersonaParseResult =
  | { readonly ok: true; readonly persona: Persona; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly PersonaProblem[] };

const SYNTAX_MESSAGES: Readonly<Record<string, string>> = {
  InvalidSymbol: 'Unexpected character: persona files are plain JSON.',
  InvalidNumberFormat: 'Invalid number.',
  PropertyNameExpected: 'Expected a property name in double quotes (a trailing comma before "}" is not allowed in JSON).',
  ValueExpected: 'Expected a value (a trailing comma before "]" or "}" is not allowed in JSON).',
  ColonExpected: 'Expected ":" after the property name.',
  CommaExpected: 'Expected "," between entries.',
  CloseBraceExpected: 'Expected "}" to close the object.',
  CloseBracketExpected: 'Expected "]" to close the list.',
  EndOfFileExpected: 'Unexpected text after the end of the JSON value; a persona file holds one object.',
  InvalidCommentToken: 'Remove the comment: persona files are plain JSON (use the "notes" field instead).',
  UnexpectedEndOfComment: 'Unterminated comment; persona files are plain JSON (use "notes").',
  UnexpectedEndOfString: 'Unterminated string: add the closing double quote.',
  UnexpectedEndOfNumber: 'Incomplete number.',
  InvalidUnicode: 'Invalid \\u escape: it needs four hex digits.',
  InvalidEscapeCharacter: 'Invalid escape sequence in a string.',
  InvalidCharacter: 'Invalid character in a string: write line breaks and tabs as \\n and \\t.',
};

function problemAt(lines: LineMap, offset: number, length: number, message: string, path: readonly (string | number)[]): PersonaProblem {
  const start = lines.position(offset);
  const end = lines.position(offset + Math.max(length, 1));
  return { message, line: start.line, column: start.column, endLine: end.line, endColumn: end.column, path };
}

function describePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'The file';
  return `"${path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[')}"`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** A message for one zod issue that names the field and says what to write instead. */
function issueMessage(issue: z.core.$ZodIssue, root: unknown): string {
  const field = describePath(issue.path);
  const last = issue.path[issue.path.length - 1];
  const fieldHelp = typeof last === 'string' ? PERSONA_FIELD_HELP[last] : undefined;
  const actual = valueAt(root, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (actual === undefined) return `Add ${field}${fieldHelp ? `: ${fieldHelp}` : ''}.`;
      return `${field} must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, not ${typeName(actual)}${fieldHelp ? ` (${fieldHelp})` : ''}.`;
    case 'invalid_value':
      return `${field} is ${JSON.stringify(actual)}; use ${issue.values.map((value) => JSON.stringify(value)).join(', ')}.`;
    case 'too_small':
    case 'too_big':
      if (issue.origin === 'array') {
        return `${field} has ${Array.isArray(actual) ? actual.length : 0} items; it needs exactly ${String(issue.code === 'too_small' ? issue.minimum : issue.maximum)}, one per dimension (style, background_knowledge, informativeness, harmlessness).`;
      }
      return `${field} is empty; write ${fieldHelp ?? 'some text'}.`;
    case 'invalid_format':
      return `${field} is blank; write ${fieldHelp ?? 'some text'}.`;
    default:
      return issue.message;
  }
}

/** Where to point for a node: a container's key (or opening bracket) rather than its whole body. */
function nodeRange(node: JsonNode): { offset: number; length: number } {
  if (node.type === 'object' || node.type === 'array') {
    const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    return key ? { offset: key.offset, length: key.length } : { offset: node.offset, length: 1 };
  }
  return { offset: node.offset, length: node.length };
}

/** The property key node of `name` inside object node `object`, if present. */
function keyNode(object: JsonNode | undefined, name: string): JsonNode | undefined {
  return object?.children?.find((property) => property.children?.[0]?.value === name)?.children?.[0];
}

export type JsonParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly PersonaProblem[] };

/**
 * Parses JSON text against a zod schema, reporting problems with positions. Syntax errors stop
 * before schema checks (the tree of broken JSON would produce misleading schema errors); otherwise
 * every schema issue is reported, not just the first.
 */
export function parseJsonWithPositions<T>(text: string, schema: z.ZodType<T>): JsonParseResult<T> {
  const lines = new LineMap(text);
  if (text.trim() === '') return { ok: false, problems: [problemAt(lines, 0, 0, 'The file is empty; it should hold one JSON value.', [])] };
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0 || !tree) {
    const problems = errors.map((error) => {
      const code = printParseErrorCode(error.error);
      return problemAt(lines, error.offset, error.length, SYNTAX_MESSAGES[code] ?? `JSON syntax error (${code}).`, []);
    });
    if (problems.length === 0) problems.push(problemAt(lines, 0, 0, 'The text is not JSON.', []));
    return { ok: false, problems };
  }
  const value: unknown = getNodeValue(tree);
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };

  const problems: PersonaProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    const node = findNodeAtLocation(tree, path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const at = keyNode(node, key);
        const range = at ? { offset: at.offset, length: at.length } : node ? nodeRange(node) : { offset: 0, length: 0 };
        problems.push(problemAt(lines, range.offset, range.length, `Unknown field "${key}" in ${path.length === 0 ? 'the file' : describePath(path)}: remove it or check its spelling.`, [...path, key]));
      }
      continue;
    }
    // A missing field has no node: point at the object that should hold it.
    const target = node ?? findNodeAtLocation(tree, path.slice(0, -1)) ?? tree;
    const range = nodeRange(target);
    problems.push(problemAt(lines, range.offset, range.length, issueMessage(issue, value), path));
  }
  return { ok: false, problems };
}

/** Parses persona file text (`*.persona.json`). */
export function parsePersonaText(text: string): PersonaParseResult {
  const result = parseJsonWithPositions(text, personaSchema);
  return result.ok ? { ok: true, persona: result.value, problems: [] } : result;
}
