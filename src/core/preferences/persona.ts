/**
 * The persona file (`*.persona.json`): the zod schema is the source of truth; the JSON schema in
 * `media/schemas/persona.schema.json` is generated from it (see `writeSchema.ts`) so hand edits get
 * completion and errors in the editor.
 */
import * as z from 'zod';
import { DIMENSION_IDS } from './dimensions';

/** Field help, used both as JSON-schema descriptions and in "add this field" messages. */
export const PERSONA_FIELD_HELP: Readonly<Record<string, string>> = {
  name: 'a short, non-empty name for the persona',
  preference_set: 'the four preferences, one per dimension (style, background_knowledge, informativeness, harmlessness)',
  system: 'the system message that states these preferences to the model',
  rubrics: 'optional 1-5 rubrics for evaluating answers to this persona, in the Multifaceted Bench shape',
  notes: 'optional free-form notes; never sent to a model',
  dimension: `one of ${DIMENSION_IDS.map((id) => `"${id}"`).join(', ')}`,
  subdimension: 'the facet of the dimension, e.g. "conciseness" or "expert" (any string)',
  preference: 'a short phrase naming the preference, e.g. "succinct hypothesis"',
  description: 'one or two sentences saying what the person wants',
  criteria: 'the question the judge answers, e.g. "Does the response stay concise?"',
  score_descriptions: 'what a response scoring 1, 2, 3, 4 and 5 looks like',
};

function help(field: string): string {
  return PERSONA_FIELD_HELP[field] ?? field;
}

export const dimensionSchema = z.enum(DIMENSION_IDS).describe(help('dimension'));

export const preferenceItemSchema = z
  .object({
    dimension: dimensionSchema,
    subdimension: z.string().min(1).describe(help('subdimension')),
    preference: z.string().min(1).describe(help('preference')),
    description: z.string().min(1).describe(help('description')),
  })
  .strict();

export type PreferenceItem = z.infer<typeof preferenceItemSchema>;

export const SCORE_KEYS = ['1', '2', '3', '4', '5'] as const;

const nonEmpty = z.string().min(1);

export const rubricSchema = z
  .object({
    criteria: nonEmpty.describe(help('criteria')),
    score_descriptions: z
      .object({ '1': nonEmpty, '2': nonEmpty, '3': nonEmpty, '4': nonEmpty, '5': nonEmpty })
      .strict()
      .describe(help('score_descriptions')),
  })
  .strict();

export type Rubric = z.infer<typeof rubricSchema>;

/**
 * Exactly the four dimensions, each once. Order is the author's: the composer sorts for itself, and
 * keeping the file's order keeps diffs of hand-edited files small.
 */
export const preferenceSetSchema = z
  .array(preferenceItemSchema)
  .length(DIMENSION_IDS.length)
  .superRefine((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.dimension)) {
        const missing = DIMENSION_IDS.filter((id) => !items.some((other) => other.dimension === id));
        const hint = missing.length > 0 ? ` Change it to ${missing.map((id) => `"${id}"`).join(' or ')}.` : '';
        ctx.addIssue({
          code: 'custom',
          path: [index, 'dimension'],
          message: `Dimension "${item.dimension}" appears more than once; each of the four dimensions must appear exactly once.${hint}`,
        });
      }
      seen.add(item.dimension);
    });
  })
  .describe(help('preference_set'));

export type PreferenceSet = z.infer<typeof preferenceSetSchema>;

export const personaSchema = z
  .object({
    // Lets a hand-written file point its editor at the schema without failing validation.
    $schema: z.string().optional(),
    name: z.string().regex(/\S/).describe(help('name')),
    preference_set: preferenceSetSchema,
    system: z.string().describe(help('system')),
    rubrics: z.array(rubricSchema).optional().describe(help('rubrics')),
    notes: z.string().optional().describe(help('notes')),
  })
  .strict()
  .describe('A Janus Studio persona: four preferences and the system message that states them.');

export type Persona = z.infer<typeof personaSchema>;

function orderedItem(item: PreferenceItem): PreferenceItem {
  return { dimension: item.dimension, subdimension: item.subdimension, preference: item.preference, description: item.description };
}

function orderedRubric(rubric: Rubric): Rubric {
  const s = rubric.score_descriptions;
  return { criteria: rubric.criteria, score_descriptions: { '1': s['1'], '2': s['2'], '3': s['3'], '4': s['4'], '5': s['5'] } };
}

/**
 * The file text of a persona: fixed key order, 2-space indent, trailing newline, so saving an
 * unchanged persona never produces a diff and two tools writing the same persona agree byte for byte.
 */
export function serializePersona(persona: Persona): string {
  const ordered: Record<string, unknown> = {};
  if (persona.$schema !== undefined) ordered['$schema'] = persona.$schema;
  ordered['name'] = persona.name;
  ordered['preference_set'] = persona.preference_set.map(orderedItem);
  ordered['system'] = persona.system;
  if (persona.rubrics !== undefined) ordered['rubrics'] = persona.rubrics.map(orderedRubric);
  if (persona.notes !== undefined) ordered['notes'] = persona.notes;
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
