/**
 * The rubric judge's prompts (JANUS.md, "Rubric evaluation"): our own wording of the protocol, one
 * call per rubric item. Users who need the original wording to reproduce published numbers point
 * a setting at their own template; `parseJudgeTemplate` checks its placeholders before any call.
 */
import type { Rubric } from '../preferences/persona';
import { UserFacingError } from '../errors';

export const defaultJudgeSystemPrompt =
  'You are an impartial evaluator. You judge a response only against the score rubric you are given, ' +
  'never by your own taste, explain your judgement in concrete feedback, and then give one integer score from 1 to 5.';

export const judgePlaceholders = ['instruction', 'response', 'reference_answer', 'score_rubric'] as const;
export type JudgePlaceholder = (typeof judgePlaceholders)[number];

/**
 * Our default user prompt. Without a reference answer (Best-of-N judging has none) the task line
 * and the reference section go, the rest stays the same so both grade alike.
 */
function defaultTemplateText(withReference: boolean): string {
  return `## Task
You will see an instruction, a response to it, ${withReference ? 'a reference answer that deserves a score of 5, ' : ''}and a score rubric.
1. Write feedback that assesses the response strictly by the score rubric, not by general quality.
2. Then decide an integer score from 1 to 5, as the rubric's descriptions define it.
3. Reply in exactly this form and nothing else: "Feedback: (your feedback) [RESULT] (an integer from 1 to 5)"

## Instruction
{instruction}

## Response to evaluate
{response}
${withReference ? '\n## Reference answer (score 5)\n{reference_answer}\n' : ''}
## Score rubric
{score_rubric}

## Feedback
`;
}

type Part = { readonly text: string } | { readonly placeholder: JudgePlaceholder };

/** A parsed user-prompt template: literal text and placeholders, filled in one pass. */
export interface JudgeTemplate {
  readonly parts: readonly Part[];
}

/**
 * Parses a template with Python `str.format` conventions (`{{` and `}}` are literal braces), since
 * users bring templates from the original Python scripts. Every placeholder must be known and
 * `{instruction}`, `{response}` and `{score_rubric}` must appear; `source` names the file in errors.
 */
export function parseJudgeTemplate(text: string, source = 'the judge prompt template'): JudgeTemplate {
  const parts: Part[] = [];
  let literal = '';
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      literal += c;
      i++;
    } else if (c === '{') {
      const close = text.indexOf('}', i);
      const name = close < 0 ? '' : text.slice(i + 1, close);
      if (!(judgePlaceholders as readonly string[]).includes(name)) {
        const shown = close < 0 ? text.slice(i, i + 20) : `{${name}}`;
        throw new UserFacingError(`${source}, line ${lineOf(i)}: unknown placeholder ${shown}. Use ${judgePlaceholders.map((p) => `{${p}}`).join(', ')}, and write a literal brace as {{ or }}.`);
      }
      if (literal !== '') parts.push({ text: literal });
      literal = '';
      parts.push({ placeholder: name as JudgePlaceholder });
      i = close;
    } else if (c === '}') {
      throw new UserFacingError(`${source}, line ${lineOf(i)}: a lone "}"; write a literal brace as }}.`);
    } else {
      literal += c;
    }
  }
  if (literal !== '') parts.push({ text: literal });
  const used = new Set(parts.flatMap((p) => ('placeholder' in p ? [p.placeholder] : [])));
  const missing = (['instruction', 'response', 'score_rubric'] as const).filter((p) => !used.has(p));
  if (missing.length > 0) {
    throw new UserFacingError(`${source} has no ${missing.map((p) => `{${p}}`).join(', ')}: the judge would not see ${missing.length > 1 ? 'them' : 'it'}. Add the placeholder${missing.length > 1 ? 's' : ''}.`);
  }
  return { parts };
}

export const defaultJudgeTemplate: JudgeTemplate = parseJudgeTemplate(defaultTemplateText(true));

/** The default template for judging without a reference answer (e.g. Best-of-N candidates). */
export const noReferenceJudgeTemplate: JudgeTemplate = parseJudgeTemplate(defaultTemplateText(false));

/** Python's `json.dumps(value, indent=indent)`: ", " / ": " separators, non-ASCII as `\uXXXX`. */
export function pythonJsonDumps(value: unknown, indent = 4, level = 0): string {
  if (typeof value === 'string') return pythonString(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : JSON.stringify(value);
  const pad = ' '.repeat(indent * (level + 1));
  const end = ' '.repeat(indent * level);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v: unknown) => pad + pythonJsonDumps(v, indent, level + 1)).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${pythonString(k)}: ${pythonJsonDumps(v, indent, level + 1)}`).join(',\n')}\n${end}}`;
}

const shortEscapes: Readonly<Record<string, string>> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' };

/** What Python's ensure_ascii escapes: quotes, backslashes, and everything outside printable ASCII. */
const needsEscape = /["\\\u0000-\u001f\u007f-\uffff]/g;

function pythonString(text: string): string {
  // Code units, not code points: Python also writes an astral character as a surrogate pair.
  return `"${text.replace(needsEscape, (c) => shortEscapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

export interface JudgeInput {
  /** The instance's prompt alone: the system message reaches the judge through the rubric. */
  readonly instruction: string;
  readonly response: string;
  readonly referenceAnswer: string;
  readonly rubric: Rubric;
}

/** A bench's rubric objects are judged many times (every response, every run): dump each once. */
const dumpedRubrics = new WeakMap<Rubric, string>();

function dumpRubric(rubric: Rubric): string {
  let text = dumpedRubrics.get(rubric);
  if (text === undefined) {
    text = pythonJsonDumps({ criteria: rubric.criteria, score_descriptions: rubric.score_descriptions });
    dumpedRubrics.set(rubric, text);
  }
  return text;
}

export function renderJudgePrompt(template: JudgeTemplate, input: JudgeInput): string {
  const values: Record<JudgePlaceholder, string> = {
    instruction: input.instruction,
    response: input.response,
    reference_answer: input.referenceAnswer,
    score_rubric: dumpRubric(input.rubric),
  };
  return template.parts.map((p) => ('text' in p ? p.text : values[p.placeholder])).join('');
}
