/**
 * Preference data from a session of Best-of-N choices: DPO pairs (`system`, `prompt`, `chosen`,
 * `rejected` and both rewards) and SFT rows in the Multifaceted Collection shape (`system`,
 * `prompt`, `output`), both as JSONL. The session arrives from a webview or a file, so it is a
 * zod schema: parse, don't validate.
 */
// A namespace import lets esbuild drop zod's unused parts (about 370 KB of locales) from the bundle.
import * as z from 'zod';
import type { BestOfNState } from '../bestOfN/runState';

export const candidateMarks = ['chosen', 'rejected'] as const;
export type CandidateMark = (typeof candidateMarks)[number];

export const sessionCandidateSchema = z.object({
  text: z.string(),
  /** Absent when unscored: exported as null, never as a made-up number. */
  reward: z.number().finite().optional(),
  mark: z.enum(candidateMarks).optional(),
});

export const sessionEntrySchema = z.object({
  system: z.string(),
  prompt: z.string(),
  candidates: z.array(sessionCandidateSchema),
});

export const preferenceSessionSchema = z.object({ entries: z.array(sessionEntrySchema) });

export type SessionCandidate = z.infer<typeof sessionCandidateSchema>;
export type SessionEntry = z.infer<typeof sessionEntrySchema>;
export type PreferenceSession = z.infer<typeof preferenceSessionSchema>;

export interface DpoRow {
  readonly system: string;
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
  readonly chosen_reward: number | null;
  readonly rejected_reward: number | null;
}

export interface SftRow {
  readonly system: string;
  readonly prompt: string;
  readonly output: string;
}

export interface DpoOptions {
  /**
   * Pair each chosen candidate with the unmarked ones too, not only with those marked rejected:
   * for users who mark just the best answer. Default false: only explicit marks make pairs.
   */
  readonly rejectUnmarked?: boolean | undefined;
}

/** A session entry from a finished run: its finished candidates, with their rewards, unmarked. */
export function sessionEntryFromRun(state: BestOfNState, input: { readonly system: string; readonly prompt: string }): SessionEntry {
  const candidates = state.candidates
    .filter((c) => c.status === 'done')
    .map((c): SessionCandidate => (c.reward === undefined ? { text: c.text } : { text: c.text, reward: c.reward }));
  return { system: input.system, prompt: input.prompt, candidates };
}

/**
 * Every (chosen, rejected) pair of each entry, chosen in candidate order, then rejected in
 * candidate order. Pairs of identical texts are left out: they teach a DPO trainer nothing.
 */
export function dpoRows(session: PreferenceSession, options: DpoOptions = {}): DpoRow[] {
  const rows: DpoRow[] = [];
  for (const entry of session.entries) {
    const chosen = entry.candidates.filter((c) => c.mark === 'chosen');
    const rejected = entry.candidates.filter((c) => c.mark === 'rejected' || (options.rejectUnmarked === true && c.mark === undefined));
    for (const good of chosen) {
      for (const bad of rejected) {
        if (good.text === bad.text) continue;
        rows.push({
          system: entry.system,
          prompt: entry.prompt,
          chosen: good.text,
          rejected: bad.text,
          chosen_reward: good.reward ?? null,
          rejected_reward: bad.reward ?? null,
        });
      }
    }
  }
  return rows;
}

/** One row per chosen candidate, in the Multifaceted Collection's SFT shape. */
export function sftRows(session: PreferenceSession): SftRow[] {
  return session.entries.flatMap((entry) =>
    entry.candidates.filter((c) => c.mark === 'chosen').map((c) => ({ system: entry.system, prompt: entry.prompt, output: c.text })),
  );
}

/** One JSON object a line, each line ending in `\n` (an empty list is an empty file). */
export function toJsonl(rows: readonly object[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}
