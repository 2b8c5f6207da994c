import * as vscode from 'vscode';
import type { GeneratorCapabilities } from '../core/bestOfN/bestOfN';
import type { GeneratorTarget } from '../core/bestOfN/choiceStream';
import type { RubricGradingSetting } from '../core/bestOfN/rubricGrading';
import { probeEndpoint, probeRewardModel } from '../core/endpoints/probe';
import type { EndpointProfile } from '../core/endpoints/profile';
import { UserFacingError } from '../core/errors';
import type { RequestScheduler } from '../core/jobs/scheduler';
import { createScheduler } from '../core/jobs/scheduler';
import type { Rubric } from '../core/preferences/persona';
import { createRewardScorer } from '../core/reward/createScorer';
import type { RubricGrader } from '../core/reward/judgeScorer';
import { createRubricGrader } from '../core/reward/judgeScorer';
import type { RewardScorer } from '../core/reward/scorer';
import type { JanusContext } from './context';
import type { LocalEngineFacts } from './rewardKind';
import { chooseRewardKind, localEngineCandidates } from './rewardKind';

/** Everything one Best-of-N run (or one comparison) needs from the settings. */
export interface RunSetup {
  readonly generator: GeneratorTarget;
  readonly scheduler: RequestScheduler;
  readonly capabilities: GeneratorCapabilities;
  /** None: candidates are sampled, not scored (the panel says why). */
  readonly scorer: RewardScorer | undefined;
  readonly earlyStop: { readonly margin: number } | undefined;
  /** The judge, when janus.judge.baseUrl is set: Compare Personas grades answers on rubrics with it. */
  readonly rubricGrader: RubricGrader | undefined;
}

/** Judge calls at once: N candidates x rubric items must not all start together. */
const judgeConcurrency = 8;

/**
 * The schedulers Best-of-N shares across runs: one per generator endpoint (its concurrency is the
 * server's slot count, so runs queue instead of overloading it) and one for the judge, rebuilt
 * only when the endpoint they serve changes. The probe's answer is kept with them.
 */
export class BestOfNResources implements vscode.Disposable {
  private generator: { key: string; scheduler: RequestScheduler; capabilities: GeneratorCapabilities } | undefined;
  private judge: { key: string; scheduler: RequestScheduler } | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly ctx: Pick<JanusContext, 'config' | 'clients' | 'keys' | 'engine' | 'log'>) {
    // A changed generator may have other slots or lose `n` > 1: probe again on next use.
    this.subscription = ctx.config.onDidChange((change) => {
      if (change.keys.some((k) => k.startsWith('generator.'))) this.generator = undefined;
    });
  }

  private async generatorResources(profile: EndpointProfile, apiKey: string | undefined, n: number, signal: AbortSignal): Promise<{ scheduler: RequestScheduler; capabilities: GeneratorCapabilities }> {
    const key = `${profile.baseUrl} ${profile.model} ${profile.format}`;
    if (this.generator?.key === key && (n <= 1 || this.generator.capabilities.parallelN !== undefined)) return this.generator;
    const probe = await probeEndpoint(profile, { apiKey, testN: n > 1, signal, timeoutMs: 10_000 });
    if (probe.health.state === 'unreachable' && probe.models.status === undefined) {
      throw new UserFacingError(`The generator at ${probe.origin} could not be reached. Start it (or Janus: Start Local Engine) or fix janus.generator.baseUrl.`);
    }
    const capabilities: GeneratorCapabilities = { parallelN: probe.parallelN, slots: probe.slots };
    const concurrency = probe.slots ?? this.ctx.config.settings['localEngine.parallel'];
    this.generator = { key, scheduler: createScheduler({ concurrency }), capabilities };
    this.ctx.log.info(`Best-of-N: ${probe.origin} has ${probe.slots ?? 'unknown'} slots, n > 1 ${probe.parallelN === true ? 'works' : 'not used'}; ${concurrency} requests at once.`);
    return this.generator;
  }

  private judgeScheduler(baseUrl: string): RequestScheduler {
    if (this.judge?.key !== baseUrl) this.judge = { key: baseUrl, scheduler: createScheduler({ concurrency: judgeConcurrency }) };
    return this.judge.scheduler;
  }

  /**
   * The scorer `janus.reward.kind` asks for. `rubrics` gives the judge the persona's rubrics (by
   * system message, so one scorer serves a comparison of several personas).
   */
  /** The judge as a rubric grader; undefined without janus.judge.baseUrl. One per run: it remembers its grades. */
  async rubricGrader(): Promise<RubricGrader | undefined> {
    const client = await this.ctx.clients.get('judge');
    return client ? createRubricGrader({ client, scheduler: this.judgeScheduler(client.profile.baseUrl) }) : undefined;
  }

  async scorer(rubrics: (system: string) => readonly Rubric[] | undefined, grader?: RubricGrader): Promise<RewardScorer | undefined> {
    const settings = this.ctx.config.settings;
    const choice = chooseRewardKind(settings, settings['reward.kind'] === 'auto' ? await this.localEngineFacts() : {});
    if (choice.problem) throw new UserFacingError(choice.problem);
    switch (choice.kind) {
      case 'none':
        return undefined;
      case 'judge': {
        const client = await this.ctx.clients.get('judge');
        if (!client) throw new UserFacingError('The judge fallback needs janus.judge.baseUrl.');
        // The run's grader too, so a comparison's rubric grades reuse the scoring calls.
        return createRewardScorer({ kind: 'judge', client, scheduler: this.judgeScheduler(client.profile.baseUrl), rubrics, grader });
      }
      default: {
        const baseUrl = choice.baseUrl ?? settings['reward.baseUrl'];
        const apiKey = await this.ctx.keys.keyFor(baseUrl);
        return createRewardScorer({ kind: choice.kind, baseUrl, model: settings['reward.model'], apiKey, timeoutMs: settings['request.timeoutMs'] });
      }
    }
  }

  /** Which local engines (this window's, the generator's, the reward URL's) have a reward model loaded, by their /props. */
  private async localEngineFacts(): Promise<LocalEngineFacts> {
    const running = this.ctx.engine.engine;
    const candidates = localEngineCandidates(this.ctx.config.settings, running?.baseUrl);
    // An engine this window started answers only with its session key, which keyFor returns for its origin.
    const answers = await Promise.all(candidates.map(async (root) => ((await probeRewardModel(root, { timeoutMs: 2000, apiKey: await this.ctx.keys.keyFor(root) })) ? root : undefined)));
    const withRewardModel = answers.filter((root): root is string => root !== undefined);
    this.ctx.log.debug(`Reward (auto): local engines with a reward model: ${withRewardModel.length > 0 ? withRewardModel.join(', ') : 'none'} (asked ${candidates.length}).`);
    return { runningPort: running?.port, withRewardModel };
  }

  /**
   * How single-persona Best-of-N grades the persona's rubrics with `grader` (every candidate, after
   * ranking), or undefined: no judge, no rubrics, or janus.bestOfN.gradeRubrics off.
   */
  rubricGrading(grader: RubricGrader | undefined, rubrics: readonly Rubric[] | undefined): RubricGradingSetting | undefined {
    if (!grader || !rubrics || rubrics.length === 0 || !this.ctx.config.settings['bestOfN.gradeRubrics']) return undefined;
    return { grader, rubrics, allCandidates: true };
  }

  /** Generator, scheduler, probed capabilities, scorer and early stop for a run of `n` candidates. */
  async setup(n: number, rubrics: (system: string) => readonly Rubric[] | undefined, signal: AbortSignal): Promise<RunSetup> {
    const profile = this.ctx.config.profile('generator');
    if (!profile) throw new UserFacingError('No generator endpoint is configured: set janus.generator.baseUrl.');
    const apiKey = await this.ctx.keys.keyFor(profile.baseUrl);
    const rubricGrader = await this.rubricGrader();
    const [resources, scorer] = await Promise.all([this.generatorResources(profile, apiKey, n, signal), this.scorer(rubrics, rubricGrader)]);
    const margin = this.ctx.config.settings['bestOfN.earlyStopMargin'];
    return {
      generator: { profile, apiKey, logger: this.ctx.log },
      scheduler: resources.scheduler,
      capabilities: resources.capabilities,
      scorer,
      earlyStop: margin === null ? undefined : { margin },
      rubricGrader,
    };
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
