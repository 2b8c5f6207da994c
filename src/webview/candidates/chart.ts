/**
 * The reward-spread chart as geometry: one horizontal bar per scored candidate, best first, its
 * length the reward's position between the lowest and the highest reward. Pure numbers, so the
 * webview only turns them into SVG elements and a test can check the shape.
 */

export interface SpreadBar {
  readonly index: number;
  readonly label: string;
  readonly reward: number;
  /** Bar length in chart units (0..width); the lowest reward still gets a visible stub. */
  readonly length: number;
  readonly y: number;
  readonly best: boolean;
}

export interface SpreadChart {
  readonly width: number;
  readonly height: number;
  readonly barHeight: number;
  readonly labelWidth: number;
  /** Room right of the longest bar for the reward's value. */
  readonly valueWidth: number;
  readonly bars: readonly SpreadBar[];
  readonly min: number;
  readonly max: number;
}

const barHeight = 14;
const gap = 6;
const labelWidth = 30;
const valueWidth = 64;
/** A fraction of the bar area: equal or lowest rewards must still show a bar to compare. */
const minFraction = 0.04;

/**
 * `scored` in the order to draw (best first once ranked); undefined when no reward is known yet.
 * Bars are labelled by candidate (C1, C2, ...), not rank, so they match the cards' titles.
 */
export function spreadChart(scored: readonly { readonly index: number; readonly reward: number }[], best: number | undefined, width = 300): SpreadChart | undefined {
  if (scored.length === 0) return undefined;
  const rewards = scored.map((s) => s.reward);
  const min = Math.min(...rewards);
  const max = Math.max(...rewards);
  const area = width - labelWidth - valueWidth;
  const bars = scored.map((s, i) => {
    const fraction = max === min ? 1 : minFraction + ((s.reward - min) / (max - min)) * (1 - minFraction);
    return { index: s.index, label: `C${s.index + 1}`, reward: s.reward, length: Math.round(fraction * area * 10) / 10, y: i * (barHeight + gap), best: s.index === best };
  });
  return { width, height: scored.length * (barHeight + gap) - gap, barHeight, labelWidth, valueWidth, bars, min, max };
}
