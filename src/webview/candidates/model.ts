/**
 * The candidates panel's session as plain data, and the pure functions both sides apply to it: the
 * host keeps the session to re-send it (after `ready`, after a reload) and to export marks; the
 * webview renders it. Run state changes only through the core's reducer (`applyBestOfNEvent`), so
 * the panel, the CLI and the tests read a run the same way.
 */
import type { BestOfNEvent } from '../../core/bestOfN/events';
import type { BestOfNState, CandidateState, RubricGradeState } from '../../core/bestOfN/runState';
import { applyBestOfNEvent, candidatesInRankOrder, initialBestOfNState, meanRubricScore } from '../../core/bestOfN/runState';
import type { SessionEntry } from '../../core/export/preferencePairs';
import type * as z from 'zod';
import type { bestOfNEventSchema, CandidateMarkValue, panelGroupSchema, panelSessionSchema, runStateSchema } from './protocol';

export type PanelSession = z.infer<typeof panelSessionSchema>;
export type PanelGroup = z.infer<typeof panelGroupSchema>;
export type RunView = z.infer<typeof runStateSchema>;
type ParsedEvent = z.infer<typeof bestOfNEventSchema>;

export interface NewSession {
  readonly sessionId: string;
  readonly mode: PanelSession['mode'];
  readonly prompt: string;
  readonly groups: readonly { readonly label: string; readonly system: string; readonly grading?: PanelGroup['grading'] }[];
  readonly hasSelection: boolean;
  readonly createdAt: number;
}

export function newSession(spec: NewSession): PanelSession {
  return {
    sessionId: spec.sessionId,
    mode: spec.mode,
    prompt: spec.prompt,
    hasSelection: spec.hasSelection,
    createdAt: spec.createdAt,
    groups: spec.groups.map((g) => ({ label: g.label, system: g.system, ...(g.grading ? { grading: g.grading } : {}), run: fromCoreRun(initialBestOfNState()), marks: {} })),
  };
}

/** The core's state as the protocol's shape (the same data; optional keys for `undefined`). */
export function fromCoreRun(state: BestOfNState): RunView {
  return state;
}

type GradeView = NonNullable<RunView['rubricGrades']>['items'][number];

function gradeStates(items: readonly GradeView[]): RubricGradeState[] {
  return items.map((g) => ({ criteria: g.criteria, score: g.score, feedback: g.feedback, error: g.error }));
}

/** The protocol's shape back as the core's state, every key present. */
export function toCoreRun(run: RunView): BestOfNState {
  const candidates = run.candidates.map(
    (c): CandidateState => ({
      index: c.index,
      text: c.text,
      status: c.status,
      finishReason: c.finishReason,
      tokens: c.tokens,
      tokensEstimated: c.tokensEstimated === true,
      reward: c.reward,
      error: c.error,
      ...(c.rubricGrades ? { rubricGrades: gradeStates(c.rubricGrades) } : {}),
    }),
  );
  return {
    runId: run.runId,
    strategy: run.strategy,
    isRewardModel: run.isRewardModel,
    candidates,
    order: run.order,
    best: run.best,
    scoreError: run.scoreError,
    earlyStop: run.earlyStop,
    finished: run.finished,
    cancelled: run.cancelled,
    rubricGrades: run.rubricGrades && { index: run.rubricGrades.index, items: gradeStates(run.rubricGrades.items) },
    lastSeq: run.lastSeq,
  };
}

/** A parsed event as the core's event type (the two keys that may be absent made explicit). */
export function toCoreEvent(event: ParsedEvent): BestOfNEvent {
  switch (event.type) {
    case 'started':
      return { ...event, scorer: event.scorer };
    case 'candidateDone':
      // Absent stays absent: the core emits the key only for an estimate.
      return { ...event, tokens: event.tokens };
    default:
      return event;
  }
}

function replaceGroup(session: PanelSession, group: number, change: (g: PanelGroup) => PanelGroup): PanelSession {
  const current = session.groups[group];
  if (!current) return session;
  return { ...session, groups: session.groups.map((g, i) => (i === group ? change(current) : g)) };
}

/** The session after one more event of group `group`'s run. A new `started` clears that group's marks. */
export function applyGroupEvent(session: PanelSession, group: number, event: BestOfNEvent): PanelSession {
  return replaceGroup(session, group, (g) => {
    const run = fromCoreRun(applyBestOfNEvent(toCoreRun(g.run), event));
    if (event.type === 'started') {
      const { scorer: _old, ...rest } = g;
      return event.scorer ? { ...rest, run, marks: {}, scorer: event.scorer } : { ...rest, run, marks: {} };
    }
    if (event.type === 'rescoring') return { ...g, run, scorer: event.scorer };
    return { ...g, run };
  });
}

export function withMark(session: PanelSession, group: number, index: number, mark: CandidateMarkValue | null): PanelSession {
  return replaceGroup(session, group, (g) => {
    const marks = { ...g.marks };
    if (mark === null) delete marks[String(index)];
    else marks[String(index)] = mark;
    return { ...g, marks };
  });
}

export function isRunning(session: PanelSession): boolean {
  return session.groups.some((g) => !g.run.finished);
}

/**
 * A session restored after a reload: runs that were still going when the window went away are
 * over (their requests died with the old extension host), so they read as cancelled.
 */
export function interrupted(session: PanelSession): PanelSession {
  return {
    ...session,
    groups: session.groups.map((g) => (g.run.finished ? g : { ...g, run: { ...g.run, finished: true, cancelled: true } })),
  };
}

/** A session whose runs could not start or go on: over, with the reason shown above the cards. */
export function failed(session: PanelSession, message: string): PanelSession {
  return { ...session, error: message, groups: session.groups.map((g) => (g.run.finished ? g : { ...g, run: { ...g.run, finished: true } })) };
}

/** What one card shows. */
export interface CardView {
  readonly index: number;
  readonly text: string;
  readonly status: CandidateState['status'];
  /** 1-based rank; absent until ranked (and forever after a score error). */
  readonly rank: number | undefined;
  readonly reward: number | undefined;
  readonly chars: number;
  readonly tokens: number | undefined;
  /** `tokens` is an estimate: shown as "~N tokens". */
  readonly tokensEstimated: boolean;
  readonly best: boolean;
  readonly mark: CandidateMarkValue | undefined;
  readonly error: string | undefined;
  readonly finishReason: string | null;
  /** Its rubric chips (single-persona Best-of-N with a judge); undefined when not graded. */
  readonly rubrics: RubricView | undefined;
}

/** Cards best first when ranked, else in candidate order. */
export function cardsOf(group: PanelGroup): CardView[] {
  const state = toCoreRun(group.run);
  return candidatesInRankOrder(state).map((c) => {
    const position = state.order.indexOf(c.index);
    return {
      index: c.index,
      text: c.text,
      status: c.status,
      rank: position < 0 ? undefined : position + 1,
      reward: c.reward,
      chars: c.text.length,
      tokens: c.tokens,
      tokensEstimated: c.tokensEstimated,
      best: state.best === c.index,
      mark: group.marks[String(c.index)],
      error: c.error,
      finishReason: c.finishReason,
      // A comparison shows its answer's grades in the persona's column instead.
      rubrics: group.grading === undefined && c.rubricGrades ? chipsOf(c.index, c.rubricGrades, group.run.finished) : undefined,
    };
  });
}

/** One rubric's chip: its grade, or why it has none. */
export interface RubricChip {
  readonly criteria: string;
  readonly score: number | undefined;
  readonly feedback: string | undefined;
  readonly error: string | undefined;
  /** Still being graded (the run is going on). */
  readonly pending: boolean;
}

/** The rubric scores shown in a comparison's column. */
export interface RubricView {
  /** Why there are no chips, or what they are waiting for. */
  readonly note: string | undefined;
  /** The graded candidate (its index). */
  readonly candidate: number | undefined;
  readonly chips: readonly RubricChip[];
  /** Mean of the graded rubrics; undefined when none is graded. */
  readonly mean: number | undefined;
  readonly graded: number;
}

/** Rubric scores of a comparison's persona; undefined outside Compare Personas. */
export function rubricViewOf(group: PanelGroup): RubricView | undefined {
  const run = group.run;
  const empty = (note: string): RubricView => ({ note, candidate: undefined, chips: [], mean: undefined, graded: 0 });
  switch (group.grading) {
    case undefined:
      return undefined;
    case 'noRubrics':
      return empty('This persona has no rubrics, so its answer is not graded on rubrics.');
    case 'noJudge':
      return empty('Not graded on the persona\'s rubrics: set janus.judge.baseUrl to have a judge grade them.');
    case 'judge':
      break;
  }
  const grades = run.rubricGrades;
  if (!grades) {
    if (!run.finished) return empty('Rubric scores follow once the answer is in.');
    return empty(run.cancelled ? 'Not graded: cancelled.' : 'Not graded: there is no finished answer.');
  }
  return chipsOf(grades.index, gradeStates(grades.items), run.finished);
}

/** One graded candidate's chips and mean; a chip with neither score nor error is pending until the run is finished. */
function chipsOf(candidate: number, items: readonly RubricGradeState[], finished: boolean): RubricView {
  const chips = items.map((g): RubricChip => ({ criteria: g.criteria, score: g.score, feedback: g.feedback, error: g.error, pending: g.score === undefined && g.error === undefined && !finished }));
  const graded = chips.filter((c) => c.score !== undefined).length;
  return { note: undefined, candidate, chips, mean: meanRubricScore(items), graded };
}

export type BannerKind = 'judge' | 'scoreError' | 'noScorer' | 'earlyStop' | 'cancelled';

export interface Banner {
  readonly kind: BannerKind;
  readonly text: string;
}

/** The notes above a group's cards: who scored, what failed, what stopped. */
export function bannersOf(group: PanelGroup): Banner[] {
  const banners: Banner[] = [];
  const run = group.run;
  if (run.scoreError !== undefined) {
    banners.push({ kind: 'scoreError', text: `Scoring failed, so the candidates are shown unscored and nothing is ranked: ${run.scoreError}` });
  }
  if (group.scorer && !group.scorer.isRewardModel) {
    banners.push({ kind: 'judge', text: `Scored by the judge on the persona's rubrics — not a reward model (${group.scorer.description}).` });
  }
  if (run.runId !== undefined && !group.scorer) {
    banners.push({ kind: 'noScorer', text: 'No reward model or judge is configured, so the candidates are not scored or ranked. Set janus.reward.baseUrl (or janus.judge.baseUrl).' });
  }
  if (run.earlyStop) {
    banners.push({ kind: 'earlyStop', text: `Stopped early: candidate ${run.earlyStop.leader + 1} led by ${formatReward(run.earlyStop.margin)}.` });
  }
  if (run.cancelled) banners.push({ kind: 'cancelled', text: 'Cancelled: the candidates below are what had arrived.' });
  return banners;
}

export function formatReward(reward: number): string {
  const abs = Math.abs(reward);
  return abs !== 0 && (abs >= 1000 || abs < 0.001) ? reward.toExponential(2) : reward.toFixed(3);
}

/** One-line status of a session, for the header and the progress notification. */
export function statusLine(session: PanelSession): string {
  if (session.error !== undefined) return 'Failed';
  const runs = session.groups.map((g) => g.run);
  const all = runs.flatMap((r) => r.candidates);
  const done = all.filter((c) => c.status !== 'sampling').length;
  if (runs.some((r) => r.runId === undefined) || runs.some((r) => !r.finished)) {
    const scoring = all.length > 0 && done === all.length;
    const grading = (r: RunView): boolean => !r.finished && (r.rubricGrades !== undefined || r.candidates.some((c) => c.rubricGrades !== undefined));
    if (scoring && runs.some(grading)) return 'Grading on rubrics…';
    return scoring ? 'Scoring…' : `Sampling ${done}/${all.length || '…'} candidates…`;
  }
  if (runs.some((r) => r.cancelled)) return 'Cancelled';
  const ranked = runs.every((r) => r.best !== undefined);
  return ranked ? 'Ranked' : 'Done (not ranked)';
}

/**
 * In a comparison, the persona whose best answer has the highest reward; undefined until every
 * persona is ranked (a persona left unscored cannot be compared) and for Best-of-N sessions.
 */
export function compareLeader(session: PanelSession): number | undefined {
  if (session.mode !== 'compare') return undefined;
  const bests = session.groups.map((g) => (g.run.best === undefined ? undefined : g.run.candidates[g.run.best]?.reward));
  if (bests.some((r) => r === undefined)) return undefined;
  let leader = 0;
  bests.forEach((r, i) => {
    if ((r ?? -Infinity) > (bests[leader] ?? -Infinity)) leader = i;
  });
  return leader;
}

/** The session's marks as export entries: one per group, finished candidates with their rewards and marks. */
export function sessionEntries(session: PanelSession): SessionEntry[] {
  return session.groups.map((g) => ({
    system: g.system,
    prompt: session.prompt,
    candidates: g.run.candidates
      .filter((c) => c.status === 'done')
      .map((c) => {
        const mark = g.marks[String(c.index)];
        return { text: c.text, ...(c.reward === undefined ? {} : { reward: c.reward }), ...(mark === undefined ? {} : { mark }) };
      }),
  }));
}

export function markCount(session: PanelSession): number {
  return session.groups.reduce((sum, g) => sum + Object.keys(g.marks).length, 0);
}
