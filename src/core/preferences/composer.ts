/**
 * The deterministic composer: a preference set becomes one paragraph of system message in the
 * Janus style, with no model involved. Each dimension and known subdimension has its own sentence
 * shapes so the paragraph does not read like a form; which shape is used is picked by a hash of the
 * item, so the same preference set always gives the same text (and a cached or committed message
 * does not change under the user).
 */
import type { DimensionId } from './dimensions';
import { DIMENSION_IDS } from './dimensions';
import type { Persona, PreferenceItem } from './persona';
import { descriptionAboutUser } from './pronouns';

type Lead = (preference: string) => string;

/** Background knowledge opens the paragraph, so its shapes carry the "You are ..." clause. */
const ROLES: Readonly<Record<string, readonly [role: string, audience: string]>> = {
  basic: ['a patient, plain-spoken guide', 'a user with no background in the subject'],
  novice: ['a supportive mentor', 'a user who is just starting out'],
  intermediate: ['a knowledgeable collaborator', 'a user with a working grasp of the fundamentals'],
  advanced: ['a seasoned practitioner', 'a user with solid, advanced knowledge'],
  expert: ['a peer who speaks at specialist level', 'a user with expert-level knowledge'],
};

function openingLeads(subdimension: string): readonly Lead[] {
  const [role, audience] = ROLES[subdimension] ?? ['a thoughtful assistant', `a user whose background is ${subdimension}`];
  return [
    (p) => `You are ${role} working with ${audience}, and every explanation you give honours their preference for ${p}.`,
    (p) => `You are ${role} for ${audience}; you pitch each answer to suit their preference for ${p}.`,
  ];
}

// Preference phrases in the data are nouns ("succinct hypothesis") as often as adjectives
// ("concise and direct"), so each lead names the phrase as a quoted preference instead of
// splicing it into the grammar of the sentence.
const LEADS: Readonly<Record<Exclude<DimensionId, 'background_knowledge'>, Readonly<Record<string, readonly Lead[]>>>> = {
  style: {
    clarity: [(p) => `Your responses put clarity first, in line with the preference for ${p}.`, (p) => `Write so that each answer is easy to follow, honouring the preference for ${p}.`],
    conciseness: [(p) => `Your responses stay lean and to the point, following the preference for ${p}.`, (p) => `Keep your responses economical, true to the preference for ${p}.`],
    format: [(p) => `Shape the layout of your responses around the preference for ${p}.`, (p) => `Your responses are organised to satisfy the preference for ${p}.`],
    tone: [(p) => `Your responses carry a voice set by the preference for ${p}.`, (p) => `Set the tone of your responses by the preference for ${p}.`],
    vividness: [(p) => `Your responses come alive in keeping with the preference for ${p}.`, (p) => `Bring ideas to life in your responses, following the preference for ${p}.`],
    '': [(p) => `In how they read, your responses follow the preference for ${p}.`, (p) => `Your writing style reflects the preference for ${p}.`],
  },
  informativeness: {
    creativity: [(p) => `In content, you aim for imagination, guided by the preference for ${p}.`, (p) => `Let your responses show originality, true to the preference for ${p}.`],
    depth: [(p) => `Your responses go beneath the surface, committed to the preference for ${p}.`, (p) => `Give your answers depth, grounded in the preference for ${p}.`],
    efficiency: [(p) => `Make every part of your responses earn its place, following the preference for ${p}.`, (p) => `Your content is streamlined around the preference for ${p}.`],
    practicality: [(p) => `Keep your advice practical and usable, centred on the preference for ${p}.`, (p) => `Your responses favour what can be applied, in line with the preference for ${p}.`],
    relevance: [(p) => `Your content stays on target, reflecting the preference for ${p}.`, (p) => `Keep each response anchored to the question, honouring the preference for ${p}.`],
    '': [(p) => `In what you include, your responses follow the preference for ${p}.`, (p) => `The content of your responses is chosen to match the preference for ${p}.`],
  },
  harmlessness: {
    accuracy: [(p) => `Above all, your responses must be correct, upholding the preference for ${p}.`, (p) => `Hold every claim to a high standard of accuracy, honouring the preference for ${p}.`],
    morality: [(p) => `Your responses are guided by ethical care, reflecting the preference for ${p}.`, (p) => `Bring moral awareness to your answers, true to the preference for ${p}.`],
    safety: [(p) => `Keep the user safe in everything you suggest, following the preference for ${p}.`, (p) => `Your responses put safety first, in line with the preference for ${p}.`],
    sensitivity: [(p) => `Your responses are considerate and respectful, marked by the preference for ${p}.`, (p) => `Approach every topic with sensitivity, honouring the preference for ${p}.`],
    trustworthiness: [(p) => `Earn the user's trust in every response, upholding the preference for ${p}.`, (p) => `Your responses are dependable, built on the preference for ${p}.`],
    '': [(p) => `To avoid harm, your responses honour the preference for ${p}.`, (p) => `Your responses stay responsible, committed to the preference for ${p}.`],
  },
};

/** FNV-1a: a stable, dependency-free hash; only used to pick among sentence shapes. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

function pick<T>(options: readonly T[], key: string): T {
  const chosen = options[hash(key) % options.length];
  if (chosen === undefined) throw new Error('pick() needs at least one option');
  return chosen;
}

/**
 * The phrase in quotes, first letter lower-cased unless it looks like an acronym or a name
 * ("API", "McKinsey"); quoting keeps it verbatim, which is also what the lint looks for.
 */
function asPhrase(preference: string): string {
  const text = preference.trim().replace(/[.!?]+$/, '').replace(/"/g, "'");
  if (/^[A-Z][A-Z0-9]/.test(text) || /^[A-Z][a-z]+[A-Z]/.test(text)) return `"${text}"`;
  return `"${text.charAt(0).toLowerCase()}${text.slice(1)}"`;
}

function asSentences(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed === '') return '';
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]["')\]]?$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

function itemKey(item: PreferenceItem): string {
  return `${item.dimension}\u0000${item.subdimension}\u0000${item.preference}`;
}

function leadFor(item: PreferenceItem): string {
  const phrase = asPhrase(item.preference);
  if (item.dimension === 'background_knowledge') return pick(openingLeads(item.subdimension), itemKey(item))(phrase);
  const table = LEADS[item.dimension];
  const leads = table[item.subdimension] ?? table[''] ?? [];
  return pick(leads, itemKey(item))(phrase);
}

/**
 * One paragraph, second person, all four dimensions woven in the order background, style,
 * informativeness, harmlessness (whatever the order of the set). A set without a
 * background item still opens with "You are ...". Same input, same output.
 */
export function composeSystemMessage(preferenceSet: readonly PreferenceItem[]): string {
  const order: readonly DimensionId[] = ['background_knowledge', ...DIMENSION_IDS.filter((id) => id !== 'background_knowledge')];
  const items = order.flatMap((dimension) => preferenceSet.filter((item) => item.dimension === dimension));
  const sentences: string[] = [];
  if (items[0]?.dimension !== 'background_knowledge') sentences.push('You are a thoughtful assistant who adapts each answer to the person asking.');
  for (const item of items) {
    sentences.push(leadFor(item));
    const about = asSentences(descriptionAboutUser(item.description));
    if (about !== '') sentences.push(about);
  }
  return sentences.join(' ');
}

/** A new persona with its system message composed from the preference set. */
export function newPersona(name: string, preferenceSet: readonly PreferenceItem[]): Persona {
  return { name, preference_set: [...preferenceSet], system: composeSystemMessage(preferenceSet) };
}
