/**
 * What the inline score lenses, hovers and gutter marks say, as pure functions (no `vscode`), so
 * the wording and the bands are unit-tested without an editor.
 */

/** One instance's scores as one evaluation file gives them. */
export interface InstanceResult {
  /** Mean over the scored rubric items; null when none is scored. */
  readonly mean: number | null;
  /** Per rubric item: 1..5, or null when the judge gave no score. */
  readonly scores: readonly (number | null)[];
  /** Per rubric item: the judge's feedback (its whole reply when unscored). */
  readonly feedback: readonly string[];
}

export type ScoreBand = 'low' | 'mid' | 'high' | 'none';

/** Short chip labels: the lens must fit on one line above the instance. */
const shortDimension: Readonly<Record<string, string>> = { background_knowledge: 'knowledge' };

/** A chip label per rubric: the instance's preference dimension when it has one, else r1, r2, ... */
export function rubricLabels(dimensions: readonly (string | undefined)[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const dimension = dimensions[i];
    return dimension === undefined ? `r${i + 1}` : (shortDimension[dimension] ?? dimension);
  });
}

export function meanOf(scores: readonly (number | null)[]): number | null {
  const present = scores.filter((s): s is number => s !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
}

/** An evaluation entry's `score` and `feedback` lists as one instance result. */
export function instanceResult(score: readonly (number | null)[], feedback: readonly string[]): InstanceResult {
  return { mean: meanOf(score), scores: score, feedback };
}

/** A mean with two decimals, a rubric score as the judge gave it; null is said, never shown as 0. */
export function formatScore(value: number | null, decimals = 2): string {
  if (value === null) return 'unscored';
  return Number.isInteger(value) && decimals === 0 ? String(value) : value.toFixed(decimals);
}

/** `4.25 · style 4 · knowledge 5 · informativeness 4 · harmlessness unscored` */
export function lensTitle(result: InstanceResult, labels: readonly string[]): string {
  const chips = result.scores.map((s, i) => `${labels[i] ?? `r${i + 1}`} ${s === null ? 'unscored' : String(s)}`);
  return [formatScore(result.mean), ...chips].join(' · ');
}

export function formatDelta(delta: number | null, decimals = 2): string {
  if (delta === null) return 'n/a';
  const rounded = Number(delta.toFixed(decimals));
  if (rounded === 0) return '±0';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toFixed(decimals)}`;
}

function difference(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : a - b;
}

/**
 * Compare mode: the shown run's scores with their change from the base run, per rubric:
 * `4.25 (+0.50) · style 4 (+1) · knowledge 5 (±0)`. A side with no score says n/a.
 */
export function compareLensTitle(shown: InstanceResult, base: InstanceResult | undefined, labels: readonly string[]): string {
  const head = `${formatScore(shown.mean)} (${formatDelta(difference(shown.mean, base?.mean))})`;
  const chips = shown.scores.map((s, i) => {
    const label = labels[i] ?? `r${i + 1}`;
    return `${label} ${s === null ? 'unscored' : String(s)} (${formatDelta(difference(s, base?.scores[i]), 0)})`;
  });
  return [head, ...chips].join(' · ');
}

/** Under the threshold is low (it goes to Problems too); 4 and above is high. */
export function scoreBand(mean: number | null, threshold: number): ScoreBand {
  if (mean === null) return 'none';
  if (mean < threshold) return 'low';
  return mean >= Math.max(4, threshold) ? 'high' : 'mid';
}

/** The hover text for one rubric: its score and the judge's feedback, as Markdown. */
export function feedbackMarkdown(label: string, score: number | null, feedback: string | undefined): string {
  const head = `**${label}: ${score === null ? 'unscored' : `${score} / 5`}**`;
  // The protocol's replies start with "Feedback:"; the hover's heading already says what it is.
  const text = (feedback ?? '').trim().replace(/^feedback\s*:\s*/i, '');
  const body = text === '' ? '_No feedback recorded._' : text;
  const note = score === null ? '\n\n_The judge gave no score after the retries; its last reply is above._' : '';
  return `${head}\n\n${body}${note}`;
}
