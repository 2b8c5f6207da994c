/**
 * Prompts that turn a persona into text through a model: synthesis of a system message from a
 * preference set (as the Multifaceted Collection pipeline did, here in our own words) and drafting
 * of one 1-5 rubric per dimension in the Multifaceted Bench shape. Hosts send the messages through
 * the endpoint client; the reply of the rubric prompt goes through `parseRubricDraftReply`.
 */
import * as z from 'zod';
import type { PreferenceItem, Rubric } from '../preferences/persona';
import { rubricSchema, SCORE_KEYS } from '../preferences/persona';
import { DIMENSION_IDS } from '../preferences/dimensions';

export interface PromptMessages {
  readonly system: string;
  readonly user: string;
}

function preferenceLines(preferenceSet: readonly PreferenceItem[]): string {
  return preferenceSet
    .map((item) => `- ${item.dimension} / ${item.subdimension}: "${item.preference}". ${item.description.trim()}`)
    .join('\n');
}

const SYNTHESIS_SYSTEM =
  'You write system messages for an assistant model. A system message tells the assistant who it is ' +
  'and how the person it serves wants to be answered. You reply with the system message only.';

/** Messages asking a model to write a Janus-style system message for a preference set. */
export function synthesisPrompt(preferenceSet: readonly PreferenceItem[]): PromptMessages {
  const user = [
    'Below are four preferences of one person, one for each of these dimensions: style, background knowledge, informativeness and harmlessness.',
    '',
    preferenceLines(preferenceSet),
    '',
    'Write a system message for an assistant that will answer this person. Requirements:',
    '- A single paragraph of plain prose, with no headings, lists, quotation marks around it or preamble.',
    '- Address the assistant in the second person: begin with "You are" and describe how "your responses" should be.',
    '- Reflect all four preferences, woven together naturally rather than listed one after another; keep what each description asks for.',
    '- Do not mention dimensions, preference sets or these instructions, and do not invent a topic the person did not give.',
    '- Between 80 and 200 words.',
    '',
    'Reply with the system message and nothing else.',
  ].join('\n');
  return { system: SYNTHESIS_SYSTEM, user };
}

/** Cleans a synthesis reply: models sometimes wrap the paragraph in quotes or a label. */
export function cleanSynthesisReply(reply: string): string {
  let text = reply.trim().replace(/^(system message|here is[^:]*):\s*/i, '');
  if (/^["“].*["”]$/s.test(text)) text = text.slice(1, -1).trim();
  return text.replace(/\s*\n\s*/g, ' ');
}

const RUBRIC_SYSTEM =
  'You design scoring rubrics for judging how well a response serves a specific person. ' +
  'You reply with a single JSON object and nothing else.';

/**
 * Messages asking for one rubric per dimension, in JSON mode (send `response_format:
 * {type: 'json_object'}` where the endpoint supports it; the prompt also asks for JSON in words,
 * which JSON mode requires and which helps endpoints without it).
 */
export function rubricDraftPrompt(persona: { readonly preference_set: readonly PreferenceItem[]; readonly system: string }): PromptMessages {
  const example = {
    rubrics: [
      {
        criteria: 'A question about one preference, answerable from the response alone',
        score_descriptions: { '1': '...', '2': '...', '3': '...', '4': '...', '5': '...' },
      },
    ],
  };
  const user = [
    'A person described their preferences, and an assistant was given this system message:',
    '',
    persona.system.trim(),
    '',
    'The preferences, one per dimension:',
    preferenceLines(persona.preference_set),
    '',
    `Write exactly ${persona.preference_set.length} rubrics, one for each preference above and in the same order. Each rubric has:`,
    '- "criteria": one question a judge can answer by reading a response, about how well it meets that preference;',
    '- "score_descriptions": an object with keys "1" to "5", each a sentence describing a response at that score, from 1 (ignores or contradicts the preference) to 5 (fulfils it fully).',
    '',
    'Output JSON in this shape:',
    JSON.stringify(example, null, 2),
  ].join('\n');
  return { system: RUBRIC_SYSTEM, user };
}

export type RubricDraftResult =
  | { readonly ok: true; readonly rubrics: readonly Rubric[] }
  | { readonly ok: false; readonly message: string };

const replySchema = z.object({ rubrics: z.array(z.unknown()) });

/** The reply's JSON object, tolerating a ```json fence that some models add even in JSON mode. */
function extractJson(reply: string): string {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(reply);
  return (fenced?.[1] ?? reply).trim();
}

/**
 * Parses the reply to `rubricDraftPrompt`. Errors say what was wrong in terms a user can act on
 * (retry, or pick a model that supports JSON mode), naming the rubric and score that failed.
 */
export function parseRubricDraftReply(reply: string, expected: number = DIMENSION_IDS.length): RubricDraftResult {
  let value: unknown;
  try {
    value = JSON.parse(extractJson(reply));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `The model's reply is not valid JSON (${detail}). Retry, or use a model and endpoint that support JSON mode.` };
  }
  const shape = replySchema.safeParse(value);
  if (!shape.success) {
    return { ok: false, message: 'The reply has no "rubrics" list. Expected a JSON object {"rubrics": [...]} with one rubric per dimension; retry.' };
  }
  const items = shape.data.rubrics;
  if (items.length !== expected) {
    return { ok: false, message: `The reply has ${items.length} rubrics; expected ${expected}, one per dimension. Retry the draft.` };
  }
  const rubrics: Rubric[] = [];
  for (const [index, item] of items.entries()) {
    // Extra fields (a model often adds "dimension") are dropped rather than failing the draft.
    const record = item !== null && typeof item === 'object' ? (item as Record<string, unknown>) : {};
    const where = `Rubric ${index + 1}`;
    const criteria = record['criteria'];
    if (typeof criteria !== 'string' || criteria.trim() === '') {
      return { ok: false, message: `${where} has no "criteria" text. Retry the draft.` };
    }
    const scores = record['score_descriptions'];
    if (scores === null || typeof scores !== 'object' || Array.isArray(scores)) {
      return { ok: false, message: `${where} has no "score_descriptions" object with keys "1" to "5". Retry the draft.` };
    }
    const text = (key: string): string => {
      const value = (scores as Record<string, unknown>)[key];
      return typeof value === 'string' ? value.trim() : '';
    };
    const missing = SCORE_KEYS.filter((key) => text(key) === '');
    if (missing.length > 0) {
      return { ok: false, message: `${where} is missing score description${missing.length > 1 ? 's' : ''} ${missing.map((key) => `"${key}"`).join(', ')}. Retry the draft.` };
    }
    rubrics.push(rubricSchema.parse({ criteria: criteria.trim(), score_descriptions: { '1': text('1'), '2': text('2'), '3': text('3'), '4': text('4'), '5': text('5') } }));
  }
  return { ok: true, rubrics };
}
