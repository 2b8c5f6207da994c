/**
 * Best-of-N for one (system, prompt): sample N candidates, score them, rank them, and report every
 * step as it happens (see `events.ts`). Sampling uses the server's `n` when the probe says it works
 * (one streamed request, demultiplexed by choice index) and otherwise N requests through the shared
 * scheduler, so the scheduler's concurrency cap and rate budgets hold for Best-of-N too.
 *
 * Scoring: without early stop, all finished candidates go to the scorer in one request once
 * sampling ends. With early stop, each candidate is scored as soon as it finishes (candidates
 * that finish while a scoring request is out go together in the next one, so at most one is in
 * flight), and after each reply the rule in `ranking.ts` may stop the candidates still sampling.
 * A failed scoring request leaves its candidates unscored, stops further scoring, and nothing is
 * ranked: a ranking is only ever made from real scores of every finished candidate.
 */
import { randomUUID } from 'node:crypto';
import type { GenerationEvent } from '../endpoints/client';
import type { EndpointProfile } from '../endpoints/profile';
import { EndpointClient } from '../endpoints/client';
import { describeError, UserFacingError } from '../errors';
import type { RequestScheduler, TaskControl } from '../jobs/scheduler';
import type { JanusInput } from '../prompts/janusFormat';
import { RewardError, scoreChecked } from '../reward/scorer';
import type { RewardScorer } from '../reward/scorer';
import type { GeneratorTarget } from './choiceStream';
import { streamChoices } from './choiceStream';
import { EventQueue } from './eventQueue';
import type { BestOfNEvent, BestOfNEventBody, SamplingStrategy } from './events';
import type { EarlyStopSetting } from './ranking';
import { earlyStopDecision, rankByReward } from './ranking';
import type { RubricGradingSetting } from './rubricGrading';
import { gradeOnRubrics } from './rubricGrading';
import { choiceTokenCounts } from './tokenCounts';

export const maxCandidates = 64;

/** What the probe learned about the generator (`ProbeResult.parallelN` and `.slots`). */
export interface GeneratorCapabilities {
  readonly parallelN?: boolean | undefined;
  readonly slots?: number | undefined;
}

export interface BestOfNOptions {
  readonly generator: GeneratorTarget;
  readonly input: JanusInput;
  readonly n: number;
  /** The shared scheduler of the generator endpoint. */
  readonly scheduler: RequestScheduler;
  /** None: candidates are sampled and reported, not scored or ranked. */
  readonly scorer?: RewardScorer | undefined;
  readonly capabilities?: GeneratorCapabilities | undefined;
  readonly earlyStop?: EarlyStopSetting | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The id every event carries; a random UUID by default. */
  readonly runId?: string | undefined;
  /**
   * Grade the run's answer (its best candidate, else its first finished one), or every finished
   * candidate, on these rubrics with the judge before `done`: the grades show beside the reward.
   */
  readonly rubricGrading?: RubricGradingSetting | undefined;
}

/** One request with `n` choices only where the server said it works and has the slots for it. */
export function chooseStrategy(n: number, capabilities: GeneratorCapabilities | undefined): SamplingStrategy {
  const slotsAllow = capabilities?.slots === undefined || n <= capabilities.slots;
  return n > 1 && capabilities?.parallelN === true && slotsAllow ? 'n' : 'parallel';
}

type Status = 'sampling' | 'done' | 'failed' | 'stopped';

interface Candidate {
  text: string;
  status: Status;
  reward: number | undefined;
  /** Non-empty deltas streamed: a lower bound on its completion tokens. */
  pieces: number;
  finishReason: string | null;
}

/**
 * The run as an async iterable of events ending with `done`. Endpoint and scoring failures become
 * events; only a bad `n` throws. Aborting `signal` (or leaving the loop early) cancels every
 * request of the run; the stream then ends with `done { cancelled: true }`.
 */
export function runBestOfN(options: BestOfNOptions): AsyncGenerator<BestOfNEvent, void, undefined> {
  if (!Number.isInteger(options.n) || options.n < 1 || options.n > maxCandidates) {
    throw new UserFacingError(`N must be a whole number from 1 to ${maxCandidates}, not ${options.n}.`);
  }
  return new BestOfNRun(options).events();
}

class BestOfNRun {
  private readonly runId: string;
  private readonly queue = new EventQueue<BestOfNEvent>();
  private seq = 0;
  private readonly candidates: Candidate[];
  /** Aborted by the caller's signal or when the consumer stops iterating. */
  private readonly run = new AbortController();
  /** Aborted by early stop: ends sampling, not scoring. */
  private readonly stopSampling = new AbortController();
  private readonly samplingSignal: AbortSignal;
  private readonly incremental: boolean;
  private pending: number[] = [];
  private scoring: Promise<void> | undefined;
  private scoreFailed = false;
  private stoppedEarly = false;
  /**
   * The run's seed: the profile's, or a random one. Never left to the server: some default to a
   * clock-based seed (node-llama-cpp uses the current time), which gives N identical candidates
   * when they start together. Reported in `started` so a run can be repeated.
   */
  private readonly seed: number;
  private model = '';

  constructor(private readonly options: BestOfNOptions) {
    this.runId = options.runId ?? randomUUID();
    this.candidates = Array.from({ length: options.n }, () => ({ text: '', status: 'sampling', reward: undefined, pieces: 0, finishReason: null }));
    this.samplingSignal = AbortSignal.any([this.run.signal, this.stopSampling.signal]);
    this.incremental = options.earlyStop !== undefined && options.scorer !== undefined;
    this.seed = options.generator.profile.sampling.seed ?? Math.floor(Math.random() * 2 ** 31);
  }

  private emit(body: BestOfNEventBody): void {
    this.queue.push({ runId: this.runId, seq: this.seq++, ...body });
  }

  private get cancelled(): boolean {
    return this.run.signal.aborted;
  }

  async *events(): AsyncGenerator<BestOfNEvent, void, undefined> {
    const callerSignal = this.options.signal;
    const onAbort = (): void => this.run.abort();
    if (callerSignal?.aborted) this.run.abort();
    callerSignal?.addEventListener('abort', onAbort, { once: true });
    let failure: unknown;
    const driving = this.drive()
      .catch((error: unknown) => (failure = error))
      .finally(() => this.queue.close());
    try {
      yield* this.queue.drain();
      await driving;
      if (failure !== undefined) throw failure;
    } finally {
      // Also reached when the consumer breaks out early: no request outlives the iteration.
      this.run.abort();
      callerSignal?.removeEventListener('abort', onAbort);
    }
  }

  private async drive(): Promise<void> {
    const { scorer, n } = this.options;
    const strategy = chooseStrategy(n, this.options.capabilities);
    this.emit({ type: 'started', n, strategy, seed: this.seed, scorer: scorer ? { kind: scorer.kind, isRewardModel: scorer.isRewardModel, description: scorer.description } : undefined });
    try {
      this.model = await this.resolveModel();
      await (strategy === 'n' ? this.sampleWithN() : this.sampleInParallel());
    } catch (error) {
      for (const index of this.indexesWith('sampling')) this.onFailed(index, error);
    }
    if (this.incremental) {
      while (this.scoring) await this.scoring;
    } else if (scorer && !this.cancelled) {
      const finished = this.indexesWith('done');
      if (finished.length > 0) await this.score(finished);
    }
    if (!this.cancelled) this.rank();
    if (!this.cancelled) await this.gradeOnRubrics();
    this.emit({ type: 'done', cancelled: this.cancelled });
  }

  private indexesWith(status: Status): number[] {
    return this.candidates.flatMap((c, index) => (c.status === status ? [index] : []));
  }

  private estimatedTokens(count: number): number {
    const { input, generator } = this.options;
    return count * generator.profile.sampling.maxTokens + Math.ceil((input.system.length + input.prompt.length) / 4);
  }

  private async sampleWithN(): Promise<void> {
    const { generator, input, n, scheduler } = this.options;
    try {
      await scheduler.run(
        async (signal, control) => {
          for await (const event of streamChoices({ ...generator, profile: this.seededProfile(this.seed) }, input, n, signal, control)) {
            if (event.type === 'delta') this.onDelta(event.index, event.text);
            // Until the request's total arrives, the streamed pieces are the estimate.
            else if (event.type === 'done') this.onDone(event.index, event.text, event.finishReason, { tokens: event.pieces, estimated: true });
            else {
              control.reportTokens(event.usage.promptTokens + event.usage.completionTokens);
              this.settleTokens(event.usage.completionTokens);
            }
          }
        },
        { signal: this.samplingSignal, estimatedTokens: this.estimatedTokens(n) },
      );
    } catch (error) {
      for (const index of this.indexesWith('sampling')) this.onFailed(index, error);
    }
  }

  private async sampleInParallel(): Promise<void> {
    const { generator, input, n, scheduler } = this.options;
    // Candidate i samples with seed + i, as the engine seeds the choices of one request, so
    // both strategies give the same texts for the same seed.
    const clientFor = (index: number): EndpointClient => new EndpointClient(this.seededProfile(this.seed + index), generator);
    const one = async (index: number, signal: AbortSignal, control: TaskControl): Promise<void> => {
      // The control as the retry gate: a 429 pauses the whole scheduler, not just this candidate.
      for await (const event of clientFor(index).generateStream(input, signal, { retryGate: control })) this.onGeneration(index, event, control);
    };
    await Promise.all(
      this.candidates.map((_, index) =>
        scheduler
          .run((signal, control) => one(index, signal, control), { signal: this.samplingSignal, estimatedTokens: this.estimatedTokens(1) })
          .catch((error: unknown) => this.onFailed(index, error)),
      ),
    );
  }

  /** An empty model means "the server's first": asked once per run, not once per candidate. */
  private async resolveModel(): Promise<string> {
    const { generator } = this.options;
    if (generator.profile.model !== '') return generator.profile.model;
    const ids = await new EndpointClient(generator.profile, generator).listModels(this.samplingSignal);
    return ids[0] ?? 'default';
  }

  private seededProfile(seed: number): EndpointProfile {
    const { profile } = this.options.generator;
    return { ...profile, model: this.model, sampling: { ...profile.sampling, seed } };
  }

  private onGeneration(index: number, event: GenerationEvent, control: TaskControl): void {
    if (event.type === 'delta') return this.onDelta(index, event.text);
    if (event.usage) control.reportTokens(event.usage.promptTokens + event.usage.completionTokens);
    // Its own request: the server's count is this candidate's; without one, the pieces estimate it.
    const pieces = this.candidates[index]?.pieces ?? 0;
    this.onDone(index, event.text, event.finishReason, event.usage ? { tokens: event.usage.completionTokens, estimated: false } : { tokens: pieces, estimated: true });
  }

  private onDelta(index: number, text: string): void {
    const candidate = this.candidates[index];
    if (candidate?.status !== 'sampling') return;
    candidate.text += text;
    if (text !== '') candidate.pieces += 1;
    this.emit({ type: 'candidateDelta', index, text });
  }

  /** The n-choice request's total arrived: each candidate's count from its pieces and that total. */
  private settleTokens(completionTokens: number): void {
    if (this.candidates.some((c) => c.status !== 'done')) return;
    const counts = choiceTokenCounts(
      this.candidates.map((c) => ({ pieces: c.pieces, chars: c.text.length, hitMaxTokens: c.finishReason === 'length' })),
      completionTokens,
      this.options.generator.profile.sampling.maxTokens,
    );
    counts.forEach((count, index) => {
      // Pieces alone were already reported as an estimate at candidateDone.
      if (count.estimated && count.tokens === this.candidates[index]?.pieces) return;
      this.emit({ type: 'candidateTokens', index, tokens: count.tokens, estimated: count.estimated });
    });
  }

  private onDone(index: number, text: string, finishReason: string | null, count: { tokens: number; estimated: boolean }): void {
    const candidate = this.candidates[index];
    if (candidate?.status !== 'sampling') return;
    candidate.status = 'done';
    candidate.text = text;
    candidate.finishReason = finishReason;
    this.emit({ type: 'candidateDone', index, text, finishReason, tokens: count.tokens, tokensEstimated: count.estimated });
    if (this.incremental) {
      this.pending.push(index);
      this.pumpScoring();
    }
  }

  private onFailed(index: number, error: unknown): void {
    const candidate = this.candidates[index];
    if (candidate?.status !== 'sampling') return;
    candidate.status = 'failed';
    // A cancelled run says so once, in `done`; one error per candidate would only repeat it.
    if (!this.cancelled) this.emit({ type: 'candidateError', index, message: describeError(error) });
  }

  private pumpScoring(): void {
    if (this.scoring || this.scoreFailed || this.cancelled || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.scoring = this.score(batch).then(() => {
      this.scoring = undefined;
      this.maybeStopEarly();
      this.pumpScoring();
    });
  }

  private async score(indexes: readonly number[]): Promise<void> {
    const scorer = this.options.scorer;
    if (!scorer) return;
    const { system, prompt } = this.options.input;
    const items = indexes.map((index) => ({ system, prompt, response: this.candidates[index]?.text ?? '' }));
    let rewards: number[];
    try {
      // The reward request holds no slot, but its 429 pauses the run's scheduler all the same.
      rewards = await scoreChecked(scorer, items, this.run.signal, this.options.scheduler.gate);
    } catch (error) {
      if (this.cancelled) return;
      this.scoreFailed = true;
      const kind = error instanceof RewardError ? error.kind : 'request';
      this.emit({ type: 'scoreError', indexes: [...indexes], kind, message: describeError(error) });
      return;
    }
    indexes.forEach((index, position) => {
      const candidate = this.candidates[index];
      const reward = rewards[position];
      if (!candidate || reward === undefined) return;
      candidate.reward = reward;
      this.emit({ type: 'scored', index, reward });
    });
  }

  private maybeStopEarly(): void {
    const setting = this.options.earlyStop;
    const sampling = this.indexesWith('sampling');
    if (!setting || this.stoppedEarly || this.cancelled || sampling.length === 0) return;
    const decision = earlyStopDecision(this.candidates.map((c) => c.reward), setting);
    if (!decision) return;
    this.stoppedEarly = true;
    this.emit({ type: 'earlyStop', leader: decision.leader, margin: decision.margin, stopped: sampling });
    for (const index of sampling) {
      const candidate = this.candidates[index];
      if (!candidate) continue;
      candidate.status = 'stopped';
      this.emit({ type: 'candidateStopped', index, text: candidate.text });
    }
    this.stopSampling.abort();
  }

  /** The run's answer (or, with `allCandidates`, every finished candidate) graded on the rubrics; each grade as it arrives. */
  private async gradeOnRubrics(): Promise<void> {
    const grading = this.options.rubricGrading;
    if (!grading) return;
    const finished = this.indexesWith('done');
    const answer = (this.options.scorer ? this.bestIndex() : undefined) ?? finished[0];
    const indexes = grading.allCandidates === true ? finished : answer === undefined ? [] : [answer];
    const candidates = indexes.map((index) => ({ index, text: this.candidates[index]?.text ?? '' }));
    for await (const body of gradeOnRubrics(grading, candidates, this.options.input, this.run.signal)) this.emit(body);
  }

  private bestIndex(): number | undefined {
    const finished = this.indexesWith('done');
    if (finished.some((index) => this.candidates[index]?.reward === undefined)) return undefined;
    return rankByReward(this.candidates.map((c) => (c.status === 'done' ? c.reward : undefined)))[0];
  }

  private rank(): void {
    if (!this.options.scorer) return;
    const finished = this.indexesWith('done');
    if (finished.length === 0 || finished.some((index) => this.candidates[index]?.reward === undefined)) return;
    const rewards = this.candidates.map((c) => (c.status === 'done' ? c.reward : undefined));
    const order = rankByReward(rewards);
    const best = order[0];
    if (best !== undefined) this.emit({ type: 'ranked', order, best });
  }
}
