/**
 * Completion tokens per candidate when one request streams all N choices and the server reports
 * only the request's total. What the stream shows: each choice's pieces (its non-empty text deltas;
 * each took at least one token, so pieces <= tokens for every choice). Hence when the pieces add up
 * to the reported total, every choice's count is exact; otherwise the missing tokens (held-back
 * UTF-8 or stop-string prefixes sent later in one piece, a server that folds several tokens into
 * one chunk, an end-of-sequence token with no text) are shared out in proportion to each choice's
 * text length, and the counts are marked as estimates.
 */

export interface TokenCount {
  readonly tokens: number;
  /** True when `tokens` is an estimate ("~N tokens"), false when it is the exact count. */
  readonly estimated: boolean;
}

export interface StreamedChoice {
  /** Non-empty text deltas the choice streamed. */
  readonly pieces: number;
  /** Its text's length in UTF-16 code units. */
  readonly chars: number;
}

/** One count per choice from what it streamed and the request's reported completion tokens (if any). */
export function choiceTokenCounts(choices: readonly StreamedChoice[], totalCompletionTokens: number | undefined): TokenCount[] {
  const pieces = choices.map((c) => c.pieces);
  const sum = pieces.reduce((a, b) => a + b, 0);
  if (totalCompletionTokens === undefined || totalCompletionTokens < sum || pieces.length === 0) {
    // No total, or one that contradicts the stream: the pieces are all we know.
    return pieces.map((p) => ({ tokens: p, estimated: true }));
  }
  if (totalCompletionTokens === sum) return pieces.map((p) => ({ tokens: p, estimated: false }));
  const missing = totalCompletionTokens - sum;
  // Largest remainder, so the estimates add up to the reported total exactly.
  const chars = choices.map((c) => c.chars);
  const weights = chars.some((c) => c > 0) ? chars : pieces.map(() => 1);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => (missing * w) / weightSum);
  const extra = shares.map(Math.floor);
  let left = missing - extra.reduce((a, b) => a + b, 0);
  const byRemainder = shares.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    extra[i] = (extra[i] ?? 0) + 1;
    left -= 1;
  }
  return pieces.map((p, i) => ({ tokens: p + (extra[i] ?? 0), estimated: true }));
}
