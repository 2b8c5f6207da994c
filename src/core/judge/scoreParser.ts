/**
 * Reads the score out of a judge's reply. The protocol asks for `Feedback: ... [RESULT] n`, but
 * judges drift, so the variants JANUS.md lists are accepted too. A reply with no score gives
 * `score: null`, never a guessed number: the caller retries, then records it as unscored.
 */

export interface ParsedJudgeReply {
  readonly score: number | null;
  /** The text before `[RESULT]` (the whole reply when there is none), trimmed. */
  readonly feedback: string;
}

/** An integer 1-5, not part of a longer number ("4.0" and "4." count, "4.5" and "45" do not). */
const n = '([1-5])(?:\\.0+)?(?!\\.?\\d)';

/** Strict first, then lenient forms, in the order JANUS.md lists them. */
const patterns: readonly RegExp[] = [
  new RegExp(`\\[RESULT\\]\\s*[:=]?\\s*[\\[(]?\\s*${n}`, 'gi'),
  new RegExp(`\\bScore\\s*:\\s*\\**\\s*[\\[(]?${n}`, 'gi'),
  new RegExp(`\\[SCORE\\]\\s*[:=]?\\s*[\\[(]?${n}`, 'gi'),
  new RegExp(`\\bResult\\s*:\\s*\\**\\s*[\\[(]?${n}`, 'gi'),
  new RegExp(`\\bscore of\\s*\\**\\s*${n}`, 'gi'),
  new RegExp(`\\[${n}\\]`, 'g'),
  new RegExp(`\\(${n}\\)`, 'g'),
  new RegExp(`(?<![\\d.])${n}\\s*/\\s*5\\b`, 'g'),
  new RegExp(`(?<![\\d.])${n}\\s+out of\\s+5\\b`, 'gi'),
];

/** The last match of the first pattern that matches: a judge states its verdict at the end. */
function findScore(text: string): number | null {
  for (const pattern of patterns) {
    let last: string | undefined;
    for (const match of text.matchAll(pattern)) last = match[1];
    if (last !== undefined) return Number(last);
  }
  return null;
}

export function parseJudgeReply(reply: string): ParsedJudgeReply {
  const marker = reply.search(/\[RESULT\]/i);
  const feedback = (marker < 0 ? reply : reply.slice(0, marker)).trim();
  return { score: findScore(reply), feedback };
}
