/**
 * The state of one Best-of-N run as its events build it: a pure reducer, so every host (the CLI's
 * table, the candidates panel, Compare Personas, a test) reads a run the same way and a webview can
 * rebuild its view from the events it kept.
 */
import type { BestOfNEvent, SamplingStrategy } from './events';

export type CandidateStatus = 'sampling' | 'done' | 'failed' | 'stopped';

export interface CandidateState {
  readonly index: number;
  readonly text: string;
  readonly status: CandidateStatus;
  readonly finishReason: string | null;
  readonly tokens: number | undefined;
  /** `tokens` is an estimate ("~N"), not the server's count for this candidate. */
  readonly tokensEstimated: boolean;
  /** Only from a `scored` event: never a guess. */
  readonly reward: number | undefined;
  readonly error: string | undefined;
  /** Its grade per rubric when it was graded (single-persona Best-of-N grades every candidate). */
  readonly rubricGrades?: readonly RubricGradeState[];
}

/** One rubric's grade of the graded answer: absent score = unscored (with `error` when it failed). */
export interface RubricGradeState {
  readonly criteria: string;
  readonly score: number | undefined;
  readonly feedback: string | undefined;
  readonly error: string | undefined;
}

export interface BestOfNState {
  readonly runId: string | undefined;
  readonly strategy: SamplingStrategy | undefined;
  readonly isRewardModel: boolean | undefined;
  readonly candidates: readonly CandidateState[];
  /** Best first, from the `ranked` event; empty until then (and forever after a score error). */
  readonly order: readonly number[];
  readonly best: number | undefined;
  readonly scoreError: string | undefined;
  readonly earlyStop: { readonly leader: number; readonly margin: number } | undefined;
  readonly finished: boolean;
  readonly cancelled: boolean;
  /**
   * Rubric grades of the run's answer (its best candidate, else the one graded; Compare Personas
   * shows them in the persona's column); undefined when not graded. Each graded candidate also
   * has its own in `candidates[i].rubricGrades`.
   */
  readonly rubricGrades: { readonly index: number; readonly items: readonly RubricGradeState[] } | undefined;
  /** The last event's sequence number, so a re-score continues the same numbering. */
  readonly lastSeq: number;
}

export function initialBestOfNState(): BestOfNState {
  return { runId: undefined, strategy: undefined, isRewardModel: undefined, candidates: [], order: [], best: undefined, scoreError: undefined, earlyStop: undefined, finished: false, cancelled: false, rubricGrades: undefined, lastSeq: -1 };
}

function blank(index: number): CandidateState {
  return { index, text: '', status: 'sampling', finishReason: null, tokens: undefined, tokensEstimated: false, reward: undefined, error: undefined };
}

function updateCandidate(state: BestOfNState, index: number, change: (c: CandidateState) => CandidateState): BestOfNState {
  const candidates = [...state.candidates];
  while (candidates.length <= index) candidates.push(blank(candidates.length));
  const current = candidates[index] ?? blank(index);
  candidates[index] = change(current);
  return { ...state, candidates };
}

/** Candidate `index`'s grade of rubric `rubric` changed: in the candidate and, when it is the answer, in the run's. */
function updateGrade(state: BestOfNState, index: number, rubric: number, change: (g: RubricGradeState) => RubricGradeState): BestOfNState {
  const replace = (items: readonly RubricGradeState[]): readonly RubricGradeState[] => items.map((g, i) => (i === rubric ? change(g) : g));
  const grades = state.rubricGrades;
  const next = grades?.index === index && grades.items[rubric] ? { ...state, rubricGrades: { index, items: replace(grades.items) } } : state;
  const own = state.candidates[index]?.rubricGrades;
  return own?.[rubric] ? updateCandidate(next, index, (c) => ({ ...c, rubricGrades: replace(own) })) : next;
}

/** The mean of the rubric grades, over the graded rubrics only; undefined when none is graded. */
export function meanRubricScore(items: readonly RubricGradeState[]): number | undefined {
  const scores = items.flatMap((g) => (g.score === undefined ? [] : [g.score]));
  return scores.length === 0 ? undefined : scores.reduce((a, b) => a + b, 0) / scores.length;
}

/** The state after one more event. Events of another run (a stale stream) leave it unchanged. */
export function applyBestOfNEvent(state: BestOfNState, event: BestOfNEvent): BestOfNState {
  if (state.runId !== undefined && event.runId !== state.runId) return state;
  return { ...reduce(state, event), lastSeq: event.seq };
}

function reduce(state: BestOfNState, event: BestOfNEvent): BestOfNState {
  switch (event.type) {
    case 'started':
      return {
        ...initialBestOfNState(),
        runId: event.runId,
        strategy: event.strategy,
        isRewardModel: event.scorer?.isRewardModel,
        candidates: Array.from({ length: event.n }, (_, i) => blank(i)),
      };
    case 'candidateDelta':
      return updateCandidate(state, event.index, (c) => ({ ...c, text: c.text + event.text }));
    case 'candidateDone':
      return updateCandidate(state, event.index, (c) => ({ ...c, text: event.text, status: 'done', finishReason: event.finishReason, tokens: event.tokens, tokensEstimated: event.tokensEstimated === true }));
    case 'candidateTokens':
      return updateCandidate(state, event.index, (c) => ({ ...c, tokens: event.tokens, tokensEstimated: event.estimated }));
    case 'rubricGrading': {
      // New grades replace the candidate's old ones (a re-score grades again).
      const items = event.criteria.map((criteria): RubricGradeState => ({ criteria, score: undefined, feedback: undefined, error: undefined }));
      const answer = state.best === undefined || state.best === event.index;
      const graded = updateCandidate(state, event.index, (c) => ({ ...c, rubricGrades: items }));
      return answer ? { ...graded, rubricGrades: { index: event.index, items } } : graded;
    }
    case 'rubricGraded':
      return updateGrade(state, event.index, event.rubric, (g) => ({ ...g, score: event.score, feedback: event.feedback, error: undefined }));
    case 'rubricError':
      return updateGrade(state, event.index, event.rubric, (g) => ({ ...g, score: undefined, feedback: undefined, error: event.message }));
    case 'candidateError':
      return updateCandidate(state, event.index, (c) => ({ ...c, status: 'failed', error: event.message }));
    case 'candidateStopped':
      return updateCandidate(state, event.index, (c) => ({ ...c, text: event.text, status: 'stopped' }));
    case 'scored':
      return updateCandidate(state, event.index, (c) => ({ ...c, reward: event.reward }));
    case 'scoreError':
      return { ...state, scoreError: event.message };
    case 'earlyStop':
      return { ...state, earlyStop: { leader: event.leader, margin: event.margin } };
    case 'ranked':
      return { ...state, order: event.order, best: event.best };
    case 'done':
      return { ...state, finished: true, cancelled: event.cancelled };
    case 'rescoring':
      return {
        ...state,
        isRewardModel: event.scorer.isRewardModel,
        candidates: state.candidates.map((c) => (event.indexes.includes(c.index) ? { ...c, reward: undefined } : c)),
        order: [],
        best: undefined,
        scoreError: undefined,
        finished: false,
        cancelled: false,
      };
  }
}

/** Candidates best first when ranked, then the rest (unscored, stopped, failed) in index order. */
export function candidatesInRankOrder(state: BestOfNState): CandidateState[] {
  const ranked = state.order.flatMap((index) => state.candidates.filter((c) => c.index === index));
  const rest = state.candidates.filter((c) => !state.order.includes(c.index));
  return [...ranked, ...rest];
}
