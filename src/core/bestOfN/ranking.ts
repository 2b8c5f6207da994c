/**
 * Ranking and the early-stop rule, as pure functions so both are tested without a server.
 */

/**
 * Indexes of the scored candidates, highest reward first. Ties keep index order (the sort is
 * stable and starts from index order), so the same rewards always give the same ranking.
 * Unscored candidates (`undefined`) are left out, never ranked on a guess.
 */
export function rankByReward(rewards: readonly (number | undefined)[]): number[] {
  const scored: { index: number; reward: number }[] = [];
  rewards.forEach((reward, index) => {
    if (reward !== undefined) scored.push({ index, reward });
  });
  return scored.sort((a, b) => b.reward - a.reward).map((s) => s.index);
}

export interface EarlyStopSetting {
  /** Stop once the leader leads every other scored candidate by at least this much (reward units). */
  readonly margin: number;
  /** Scored candidates needed before the rule applies; at least 2 (a lone score has no margin). Default 2. */
  readonly minScored?: number | undefined;
}

export interface EarlyStopDecision {
  readonly leader: number;
  readonly margin: number;
}

/**
 * The early-stop rule, for scores that arrive while other candidates are still sampling:
 * with S the candidates scored so far, stop when |S| >= max(2, minScored) and the best reward in
 * S exceeds every other reward in S by at least `margin`. The leader is the first of the ranking
 * (ties: lowest index; a tie means margin 0, which stops only when `margin` <= 0).
 * Candidates still sampling are not guessed at: the rule bets that they would not beat a clear
 * leader, and the `margin` setting is how sure the user wants that bet to be.
 */
export function earlyStopDecision(rewards: readonly (number | undefined)[], setting: EarlyStopSetting): EarlyStopDecision | undefined {
  const order = rankByReward(rewards);
  const [leader, second] = order;
  if (leader === undefined || second === undefined) return undefined;
  if (order.length < Math.max(2, setting.minScored ?? 2)) return undefined;
  const margin = (rewards[leader] ?? 0) - (rewards[second] ?? 0);
  return margin >= setting.margin ? { leader, margin } : undefined;
}
