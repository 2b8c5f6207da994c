/**
 * Every message between the candidates panel and the extension host, both directions. Each side
 * treats what it receives as `unknown` until one of these zod schemas has parsed it. Run events
 * are the core's Best-of-N events unchanged (they already carry a run id and a sequence number),
 * wrapped with the session and the group (persona) they belong to, so a stale event from an
 * earlier session is dropped by id, never applied to the wrong cards. Imported by the host and the
 * webview, so this file depends on zod and pure core modules only.
 */
import * as z from 'zod';
import { rewardScorerKinds } from '../../core/reward/scorer';

const scorerInfoSchema = z.object({
  kind: z.enum(rewardScorerKinds),
  /** False for the judge fallback: the panel says these are rubric grades, not a reward model's. */
  isRewardModel: z.boolean(),
  /** Where the scores come from, e.g. "http://127.0.0.1:8011 (local engine)". */
  description: z.string(),
});
export type ScorerInfo = z.infer<typeof scorerInfoSchema>;

const index = z.number().int().nonnegative();
const indexes = z.array(index).readonly();
const rewardErrorKind = z.enum(['request', 'wrongCount', 'notANumber', 'badReply', 'judgeUnreadable', 'cancelled']);

/** The core's `BestOfNEvent` (see `core/bestOfN/events.ts`), one schema per event type. */
const eventHead = { runId: z.string(), seq: z.number().int() };
export const bestOfNEventSchema = z.discriminatedUnion('type', [
  z.object({ ...eventHead, type: z.literal('started'), n: z.number().int().positive(), strategy: z.enum(['n', 'parallel']), seed: z.number(), scorer: scorerInfoSchema.optional() }),
  z.object({ ...eventHead, type: z.literal('candidateDelta'), index, text: z.string() }),
  z.object({ ...eventHead, type: z.literal('candidateDone'), index, text: z.string(), finishReason: z.string().nullable(), tokens: z.number().int().nonnegative().optional(), tokensEstimated: z.boolean().optional() }),
  z.object({ ...eventHead, type: z.literal('candidateTokens'), index, tokens: z.number().int().nonnegative(), estimated: z.boolean() }),
  z.object({ ...eventHead, type: z.literal('rubricGrading'), index, criteria: z.array(z.string()).readonly() }),
  z.object({ ...eventHead, type: z.literal('rubricGraded'), index, rubric: index, score: z.number().finite(), feedback: z.string() }),
  z.object({ ...eventHead, type: z.literal('rubricError'), index, rubric: index, message: z.string() }),
  z.object({ ...eventHead, type: z.literal('candidateError'), index, message: z.string() }),
  z.object({ ...eventHead, type: z.literal('candidateStopped'), index, text: z.string() }),
  z.object({ ...eventHead, type: z.literal('scored'), index, reward: z.number().finite() }),
  z.object({ ...eventHead, type: z.literal('scoreError'), indexes, kind: rewardErrorKind, message: z.string() }),
  z.object({ ...eventHead, type: z.literal('earlyStop'), leader: index, margin: z.number(), stopped: indexes }),
  z.object({ ...eventHead, type: z.literal('ranked'), order: indexes, best: index }),
  z.object({ ...eventHead, type: z.literal('done'), cancelled: z.boolean() }),
  z.object({ ...eventHead, type: z.literal('rescoring'), indexes, scorer: scorerInfoSchema }),
]);

/** One rubric's grade (the core's `RubricGradeState`): absent score = unscored. */
const rubricGradeSchema = z.object({ criteria: z.string(), score: z.number().finite().optional(), feedback: z.string().optional(), error: z.string().optional() });

/** The core's `CandidateState`; optional fields stand for the core's `undefined`. */
export const candidateStateSchema = z.object({
  index,
  text: z.string(),
  status: z.enum(['sampling', 'done', 'failed', 'stopped']),
  finishReason: z.string().nullable(),
  tokens: z.number().int().nonnegative().optional(),
  /** `tokens` is an estimate ("~N tokens"); absent: exact. */
  tokensEstimated: z.boolean().optional(),
  reward: z.number().finite().optional(),
  error: z.string().optional(),
  /** This candidate's grade per rubric (single-persona Best-of-N with a judge); absent: not graded. */
  rubricGrades: z.array(rubricGradeSchema).readonly().optional(),
});

/** The core's `BestOfNState`. */
export const runStateSchema = z.object({
  runId: z.string().optional(),
  strategy: z.enum(['n', 'parallel']).optional(),
  isRewardModel: z.boolean().optional(),
  candidates: z.array(candidateStateSchema).readonly(),
  order: indexes,
  best: index.optional(),
  scoreError: z.string().optional(),
  earlyStop: z.object({ leader: index, margin: z.number() }).optional(),
  finished: z.boolean(),
  cancelled: z.boolean(),
  /** The core's `rubricGrades`: one answer's grade per rubric (absent score: unscored). */
  rubricGrades: z
    .object({
      index,
      items: z.array(rubricGradeSchema).readonly(),
    })
    .optional(),
  lastSeq: z.number().int(),
});

export const candidateMarkSchema = z.enum(['chosen', 'rejected']);
export type CandidateMarkValue = z.infer<typeof candidateMarkSchema>;

/** One persona's run: the only group of a Best-of-N session, one of 2-4 in a comparison. */
export const panelGroupSchema = z.object({
  /** The persona's name, or "Best-of-N". */
  label: z.string(),
  system: z.string(),
  run: runStateSchema,
  /** The scorer of the latest `started`/`rescoring` event; absent: candidates are not scored. */
  scorer: scorerInfoSchema.optional(),
  /**
   * Compare Personas only: whether this persona's answer is graded on its rubrics (`judge`), has
   * rubrics but no judge to grade them (`noJudge`), or has no rubrics (`noRubrics`).
   */
  grading: z.enum(['judge', 'noJudge', 'noRubrics']).optional(),
  /** The user's marks by candidate index (as a string key: JSON objects have string keys). */
  marks: z.record(z.string(), candidateMarkSchema),
});

export const panelSessionSchema = z.object({
  sessionId: z.string(),
  mode: z.enum(['bestOfN', 'compare']),
  prompt: z.string(),
  groups: z.array(panelGroupSchema).min(1).max(4).readonly(),
  /** Whether the editor the command came from had a selection (the Replace action needs one). */
  hasSelection: z.boolean(),
  /** Epoch milliseconds; shown, and used to order sessions in an export. */
  createdAt: z.number(),
  /** Why the session stopped before its runs could report (e.g. the generator is unreachable). */
  error: z.string().optional(),
});

// ---- host -> webview -------------------------------------------------------------------------

/** The whole session: after `ready`, and when a new run replaces the one shown. */
const sessionMessage = z.object({ type: z.literal('session'), session: panelSessionSchema });
/** One more event of group `group`'s run in session `sessionId`. */
const eventMessage = z.object({ type: z.literal('event'), sessionId: z.string(), group: index, event: bestOfNEventSchema });
/** A mark changed (also echoed to the panel that asked, so both sides hold the same marks). */
const markedMessage = z.object({ type: z.literal('marked'), sessionId: z.string(), group: index, index, mark: candidateMarkSchema.nullable() });
/** Reply to an `action`, `mark` or `rescore` request, by the request's id. */
const resultMessage = z.object({ type: z.literal('result'), replyTo: z.string(), ok: z.boolean(), message: z.string() });

export const hostMessageSchema = z.discriminatedUnion('type', [sessionMessage, eventMessage, markedMessage, resultMessage]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

// ---- webview -> host -------------------------------------------------------------------------

/** The panel's script runs and listens: the host may send the session now. */
const readyMessage = z.object({ type: z.literal('ready') });
/** Stop the session's runs (aborts their AbortController). */
const cancelMessage = z.object({ type: z.literal('cancel'), sessionId: z.string() });
export const candidateActions = ['insert', 'replace', 'copy', 'open'] as const;
export type CandidateAction = (typeof candidateActions)[number];
/** Do something with one candidate's text in the editor. */
const actionMessage = z.object({ type: z.literal('action'), id: z.string(), sessionId: z.string(), group: index, index, action: z.enum(candidateActions) });
/** Mark a candidate chosen or rejected (null clears the mark). */
const markMessage = z.object({ type: z.literal('mark'), id: z.string(), sessionId: z.string(), group: index, index, mark: candidateMarkSchema.nullable() });
/** Score every finished candidate again with the scorer the settings give now. */
const rescoreMessage = z.object({ type: z.literal('rescore'), id: z.string(), sessionId: z.string() });
/** Run Janus: Export Preference Pairs. */
const exportMessage = z.object({ type: z.literal('export') });
/** Run Janus: Open Best-of-N Session (pick a past session to show). */
const openSessionsMessage = z.object({ type: z.literal('openSessions') });

export const webviewMessageSchema = z.discriminatedUnion('type', [readyMessage, cancelMessage, actionMessage, markMessage, rescoreMessage, exportMessage, openSessionsMessage]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;

/** What the panel keeps with `setState` (and the serializer gets back after a reload). */
export const panelStateSchema = z.object({ session: panelSessionSchema });
export type PanelState = z.infer<typeof panelStateSchema>;
