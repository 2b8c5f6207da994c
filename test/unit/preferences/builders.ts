import type { Persona, PreferenceItem } from '../../../src/core/preferences/persona';
import { personaSchema } from '../../../src/core/preferences/persona';
import type { DimensionId } from '../../../src/core/preferences/dimensions';

const ITEMS: Readonly<Record<DimensionId, PreferenceItem>> = {
  style: { dimension: 'style', subdimension: 'conciseness', preference: 'succinct summaries', description: 'You want a few tight sentences rather than long paragraphs.' },
  background_knowledge: { dimension: 'background_knowledge', subdimension: 'intermediate', preference: 'builds on fundamentals', description: 'You know the core concepts and want answers that build on them.' },
  informativeness: { dimension: 'informativeness', subdimension: 'practicality', preference: 'actionable steps', description: 'You want advice you can act on today.' },
  harmlessness: { dimension: 'harmlessness', subdimension: 'accuracy', preference: 'acknowledged uncertainty', description: 'You want guesses marked as guesses.' },
};

/** One preference item of a dimension; override what a test is about. */
export function anItem(dimension: DimensionId, overrides: Partial<PreferenceItem> = {}): PreferenceItem {
  return { ...ITEMS[dimension], ...overrides };
}

/** The four items in the canonical order. */
export function aPreferenceSet(overrides: Partial<Record<DimensionId, Partial<PreferenceItem>>> = {}): PreferenceItem[] {
  return (['style', 'background_knowledge', 'informativeness', 'harmlessness'] as const).map((dimension) => anItem(dimension, overrides[dimension]));
}

/** A valid persona (checked against the schema, so a builder that drifts fails loudly). */
export function aPersona(overrides: Partial<Persona> = {}): Persona {
  return personaSchema.parse({
    name: 'Practical mentor',
    preference_set: aPreferenceSet(),
    system:
      'You are a knowledgeable collaborator for a user who builds on fundamentals they already know. Your responses are succinct summaries: ' +
      'a few tight sentences, never long paragraphs. Offer actionable steps the user can apply today, and keep acknowledged uncertainty ' +
      'visible by marking guesses as guesses so every claim stays accurate.',
    ...overrides,
  });
}

/** A rubric in the bench shape. */
export function aRubric(criteria = 'Does the response stay concise?'): { criteria: string; score_descriptions: Record<'1' | '2' | '3' | '4' | '5', string> } {
  return { criteria, score_descriptions: { '1': 'Rambling.', '2': 'Mostly long.', '3': 'Mixed.', '4': 'Mostly tight.', '5': 'Tight throughout.' } };
}
