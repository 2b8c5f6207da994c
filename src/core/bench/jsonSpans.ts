/**
 * Source spans of already-valid JSON, found by a scanner that skips string bodies with `indexOf`
 * instead of reading them character by character. jsonc-parser's tree takes 130-290 ms on the
 * full bench; this plus `JSON.parse` for the values stays well under the 150 ms budget, and
 * jsonc-parser is kept for what it is good at: locating syntax errors in broken files.
 */

export interface JsonSpan {
  readonly kind: 'object' | 'array' | 'value';
  /** Offset of the first character of the value. */
  readonly offset: number;
  /** Offset just past the value. */
  end: number;
  /** For an object member: the key's span (with its quotes). */
  readonly keyOffset?: number;
  readonly keyEnd?: number;
  readonly props?: Map<string, JsonSpan>;
  readonly items?: JsonSpan[];
}

const QUOTE = 34;
const BACKSLASH = 92;

/** Offset of the quote that closes the string opening at `start`. */
export function stringEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length - 1;
    let slashes = 0;
    for (let j = i - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return i;
  }
}

/** A key's name with escapes decoded; a key with a bad escape (invalid JSON) keeps its raw text. */
function keyName(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/**
 * Spans of the JSON value in `text[from, to)`. The text must be valid JSON (call `JSON.parse`
 * first): on invalid text the spans are unspecified, never an exception.
 */
export function scanJsonSpans(text: string, from = 0, to = text.length): JsonSpan | undefined {
  const stack: JsonSpan[] = [];
  let root: JsonSpan | undefined;
  let expectKey = false;
  let pendingKey: { name: string; offset: number; end: number } | undefined;
  const attach = (node: JsonSpan): void => {
    const parent = stack[stack.length - 1];
    if (!parent) root ??= node;
    else if (parent.props && pendingKey) parent.props.set(pendingKey.name, node);
    else parent.items?.push(node);
    pendingKey = undefined;
  };
  const keyed = (kind: JsonSpan['kind'], offset: number, end: number): JsonSpan => {
    const base = pendingKey ? { keyOffset: pendingKey.offset, keyEnd: pendingKey.end } : {};
    if (kind === 'object') return { kind, offset, end, ...base, props: new Map() };
    if (kind === 'array') return { kind, offset, end, ...base, items: [] };
    return { kind, offset, end, ...base };
  };
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = stringEnd(text, i);
      if (expectKey) {
        pendingKey = { name: keyName(text, i, close), offset: i, end: close + 1 };
        expectKey = false;
      } else {
        attach(keyed('value', i, close + 1));
      }
      i = close + 1;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      const node = keyed(c === 123 ? 'object' : 'array', i, i + 1);
      attach(node);
      stack.push(node);
      expectKey = c === 123;
      i++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      const node = stack.pop();
      if (node) node.end = i + 1;
      i++;
    } else if (c === 44 /* , */) {
      expectKey = stack[stack.length - 1]?.kind === 'object';
      i++;
    } else if (c === 58 /* : */ || c === 32 || c === 10 || c === 13 || c === 9) {
      i++;
    } else {
      // A number, true, false or null: runs until a delimiter.
      let j = i + 1;
      while (j < to) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break;
        j++;
      }
      attach(keyed('value', i, j));
      i = j;
    }
  }
  return root;
}

/** The span at a JSON path (keys and indices), or undefined. */
export function spanAt(root: JsonSpan | undefined, path: readonly (string | number)[]): JsonSpan | undefined {
  let node = root;
  for (const part of path) {
    if (!node) return undefined;
    node = typeof part === 'number' ? node.items?.[part] : node.props?.get(part);
  }
  return node;
}
