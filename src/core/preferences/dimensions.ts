/**
 * The four Janus preference dimensions and the subdimensions seen in the Multifaceted Collection
 * (JANUS.md). Subdimensions are an open set in the data, so everything downstream treats them as
 * plain strings; this table only says which ones we know how to describe, suggest and lint.
 */

/** Dimension ids exactly as they appear in `preference_set[].dimension`. */
export const DIMENSION_IDS = ['style', 'background_knowledge', 'informativeness', 'harmlessness'] as const;

export type DimensionId = (typeof DIMENSION_IDS)[number];

export interface SubdimensionInfo {
  readonly id: string;
  /** One line for pickers and hovers. */
  readonly description: string;
}

export interface DimensionInfo {
  readonly id: DimensionId;
  readonly label: string;
  readonly description: string;
  readonly subdimensions: readonly SubdimensionInfo[];
}

export const DIMENSIONS: readonly DimensionInfo[] = [
  {
    id: 'style',
    label: 'Style',
    description: 'How the response reads: its shape, length, voice and texture.',
    subdimensions: [
      { id: 'clarity', description: 'How easy the response is to follow on a first read.' },
      { id: 'conciseness', description: 'How much is said per word; length kept to what the task needs.' },
      { id: 'format', description: 'The layout: lists, steps, tables, code blocks, headings or prose.' },
      { id: 'tone', description: 'The voice: formal or casual, warm or neutral, playful or serious.' },
      { id: 'vividness', description: 'How concrete and imaginative the language is: images, examples, stories.' },
    ],
  },
  {
    id: 'background_knowledge',
    label: 'Background knowledge',
    description: 'What the person already knows, which sets the level of the explanation.',
    subdimensions: [
      { id: 'basic', description: 'Little or no familiarity with the topic; everyday words only.' },
      { id: 'novice', description: 'Just starting out; knows a few terms but not how they fit together.' },
      { id: 'intermediate', description: 'Comfortable with the fundamentals; wants to go a step further.' },
      { id: 'advanced', description: 'Solid working knowledge; expects technical vocabulary and nuance.' },
      { id: 'expert', description: 'Deep specialist knowledge; wants peer-level discussion without basics.' },
    ],
  },
  {
    id: 'informativeness',
    label: 'Informativeness',
    description: 'What content the response carries and how much of it.',
    subdimensions: [
      { id: 'creativity', description: 'Original ideas, unexpected angles and alternatives beyond the obvious.' },
      { id: 'depth', description: 'Thorough coverage: the why behind the what, edge cases and context.' },
      { id: 'efficiency', description: 'The most useful information in the fewest steps.' },
      { id: 'practicality', description: 'Actionable advice the person can apply right away.' },
      { id: 'relevance', description: 'Staying on the question and leaving out tangents.' },
    ],
  },
  {
    id: 'harmlessness',
    label: 'Harmlessness',
    description: 'How the response avoids harm: correctness, ethics, safety and care.',
    subdimensions: [
      { id: 'accuracy', description: 'Factually correct, precise and honest about uncertainty.' },
      { id: 'morality', description: 'Ethically considerate; weighs fairness and consequences.' },
      { id: 'safety', description: 'Avoids advice that could cause physical, financial or digital harm.' },
      { id: 'sensitivity', description: 'Respectful of feelings, cultures and identities; inclusive language.' },
      { id: 'trustworthiness', description: 'Reliable and transparent: cites sources, admits limits.' },
    ],
  },
];

export function isDimensionId(value: string): value is DimensionId {
  return (DIMENSION_IDS as readonly string[]).includes(value);
}

/** The table entry of a dimension; every `DimensionId` has one. */
export function dimensionInfo(id: DimensionId): DimensionInfo {
  const info = DIMENSIONS.find((dimension) => dimension.id === id);
  if (!info) throw new Error(`Unknown dimension "${id}"`);
  return info;
}

/** Undefined for a subdimension we have no description of (the set is open). */
export function subdimensionInfo(dimension: DimensionId, subdimension: string): SubdimensionInfo | undefined {
  return dimensionInfo(dimension).subdimensions.find((sub) => sub.id === subdimension);
}
