/**
 * Completion tokens per candidate when one request streams all N choices and the server reports
 * only the request's total. What the stream shows: each choice's pieces (its non-empty text deltas;
 * each took at least one token, so pieces <= tokens for every choice). Hence when the pieces add up
 * to the reported total, every choice's count is exact. Otherwise the count is an estimate: a
 * choice that stopped on `length` took `max_tokens`; the tokens still missing (held-back UTF-8 or
 * stop-string prefixes sent later in one piece, a server that folds several tokens into one chunk,
 * an end-of-sequence token with no text) are shared out in proportion to each other choice's text
 * length, never past `max_tokens`, so the estimates add up to the reported total.
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
  /** Its finish reason was `length`: it stopped at `max_tokens` (or at the context's end). */
  readonly hitMaxTokens?: boolean | undefined;
}

/**
 * Shares `missing` tokens over the choices by weight, none beyond its room (water-filling), then
 * rounds by largest remainder; returns each choice's extra tokens.
 */
function share(missing: number, weights: readonly number[], room: readonly number[]): number[] {
  const extra = weights.map(() => 0);
  let left = missing;
  let active = weights.flatMap((w, i) => ((room[i] ?? 0) > 0 ? [i] : []));
  if (active.every((i) => (weights[i] ?? 0) === 0)) weights = weights.map(() => 1);
  while (left > 1e-9 && active.length > 0) {
    const total = active.reduce((sum, i) => sum + (weights[i] ?? 0), 0);
    if (total === 0) break;
    const full = active.filter((i) => (extra[i] ?? 0) + (left * (weights[i] ?? 0)) / total >= (room[i] ?? 0));
    if (full.length === 0) {
      for (const i of active) extra[i] = (extra[i] ?? 0) + (left * (weights[i] ?? 0)) / total;
      left = 0;
      break;
    }
    for (const i of full) {
      left -= (room[i] ?? 0) - (extra[i] ?? 0);
      extra[i] = room[i] ?? 0;
    }
    active = active.filter((i) => !full.includes(i));
  }
  const whole = extra.map((x) => Math.floor(x + 1e-9));
  let rest = Math.round(missing - left) - whole.reduce((a, b) => a + b, 0);
  const order = extra.map((x, i) => ({ i, r: x - (whole[i] ?? 0) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (rest <= 0) break;
    if ((whole[i] ?? 0) + 1 > (room[i] ?? 0)) continue;
    whole[i] = (whole[i] ?? 0) + 1;
    rest -= 1;
  }
  return whole;
}

/**
 * One count per choice from what it streamed and the request's reported completion tokens (if
 * any); `maxTokens` is the request's `max_tokens`.
 */
export function choiceTokenCounts(choices: readonly StreamedChoice[], totalCompletionTokens: number | undefined, maxTokens?: number): TokenCount[] {
  const pieces = choices.map((c) => c.pieces);
  const sum = pieces.reduce((a, b) => a + b, 0);
  if (totalCompletionTokens === undefined || totalCompletionTokens < sum || choices.length === 0) {
    // No total, or one that contradicts the stream: the pieces are all we know.
    return pieces.map((p) => ({ tokens: p, estimated: true }));
  }
  if (totalCompletionTokens === sum) return pieces.map((p) => ({ tokens: p, estimated: false }));
  const limit = maxTokens ?? Infinity;
  const chars = choices.map((c) => c.chars);
  // Choices that hit max_tokens took exactly that many, unless the total says otherwise (a
  // server also says `length` at the end of its context).
  const atMax = choices.map((c) => c.hitMaxTokens === true && Number.isFinite(limit) && c.pieces <= limit);
  const fixed = choices.reduce((total, c, i) => total + (atMax[i] ? limit - c.pieces : 0), 0);
  const missing = totalCompletionTokens - sum;
  if (fixed <= missing) {
    const room = choices.map((c, i) => (atMax[i] ? 0 : limit - c.pieces));
    const extra = share(missing - fixed, chars, room);
    return choices.map((c, i) => ({ tokens: atMax[i] ? limit : c.pieces + (extra[i] ?? 0), estimated: true }));
  }
  const extra = share(missing, chars, choices.map((c) => limit - c.pieces));
  return choices.map((c, i) => ({ tokens: c.pieces + (extra[i] ?? 0), estimated: true }));
}
