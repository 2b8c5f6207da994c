// Best-of-N against the real local engine on the tiny model with its value head: real sampling
// (one request with n, or N requests through the scheduler), real rewards, and the CLI end to end.
// Only reward-server faults come from a fake (test/support/rewardServer.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BestOfNOptions } from '../../src/core/bestOfN/bestOfN';
import { runBestOfN } from '../../src/core/bestOfN/bestOfN';
import { rescoreRun } from '../../src/core/bestOfN/rescore';
import type { ComparePersonasEvent } from '../../src/core/bestOfN/comparePersonas';
import { comparePersonas } from '../../src/core/bestOfN/comparePersonas';
import type { BestOfNEvent } from '../../src/core/bestOfN/events';
import { applyBestOfNEvent, initialBestOfNState } from '../../src/core/bestOfN/runState';
import type { BestOfNState } from '../../src/core/bestOfN/runState';
import { EndpointClient } from '../../src/core/endpoints/client';
import { probeEndpoint } from '../../src/core/endpoints/probe';
import type { EndpointProfile } from '../../src/core/endpoints/profile';
import { endpointProfileSchema } from '../../src/core/endpoints/profile';
import { createScheduler } from '../../src/core/jobs/scheduler';
import { createRewardScorer } from '../../src/core/reward/createScorer';
import { createJudgeScorer, createRubricGrader } from '../../src/core/reward/judgeScorer';
import { expectedScore, startJudgeServer } from '../support/judgeServer';
import type { RunningEngine } from '../support/engineProcess';
import { runCli, startEngine } from '../support/engineProcess';
import type { FaultyRewardServer } from '../support/rewardServer';
import { downRewardUrl, startFaultyRewardServer } from '../support/rewardServer';
import { getTinyModel } from '../support/tinyModelFixture';

const input = { system: 'You are terse and kind.', prompt: 'Explain recursion.' };
const fastRetry = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1000 };

async function collect(events: AsyncIterable<BestOfNEvent>): Promise<{ events: BestOfNEvent[]; state: BestOfNState }> {
  const seen: BestOfNEvent[] = [];
  let state = initialBestOfNState();
  for await (const event of events) {
    seen.push(event);
    state = applyBestOfNEvent(state, event);
  }
  return { events: seen, state };
}

function ofType<T extends BestOfNEvent['type']>(events: readonly BestOfNEvent[], type: T): Extract<BestOfNEvent, { type: T }>[] {
  return events.filter((e): e is Extract<BestOfNEvent, { type: T }> => e.type === type);
}

describe('Best-of-N on the local engine', function () {
  this.timeout(120_000);
  let engine: RunningEngine;
  let profile: EndpointProfile;

  before(async () => {
    const tiny = await getTinyModel();
    engine = await startEngine(['--model', tiny.modelPath, '--reward-model', tiny.rewardModelPath, '--parallel', '4', '--context', '1024', '--quiet']);
    profile = endpointProfileSchema.parse({ role: 'generator', baseUrl: `${engine.url}/v1`, model: '', format: 'mistral-instruct', sampling: { maxTokens: 24, repetitionPenalty: 1.03, seed: 11 } });
  });
  after(async () => {
    await engine.stop();
  });

  async function getReward(query: string[]): Promise<number[]> {
    const res = await fetch(`${engine.url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    assert.equal(res.status, 200);
    return ((await res.json()) as { rewards: number[] }).rewards;
  }

  function options(overrides: Partial<BestOfNOptions> = {}): BestOfNOptions {
    return {
      generator: { profile },
      input,
      n: 4,
      scheduler: createScheduler({ concurrency: 4 }),
      scorer: createRewardScorer({ kind: 'local', baseUrl: engine.url }),
      ...overrides,
    };
  }

  /** The checks every successful run must pass: N candidates, N real rewards, the best on top. */
  async function assertRankedByRealRewards(state: BestOfNState, events: readonly BestOfNEvent[]): Promise<void> {
    assert.equal(state.candidates.length, 4);
    assert.ok(state.candidates.every((c) => c.status === 'done'), JSON.stringify(state.candidates));
    assert.equal(ofType(events, 'scored').length, 4);
    const rewards = state.candidates.map((c) => c.reward ?? NaN);
    // The exact RM text, written out here rather than through the code under test.
    const served = await getReward(state.candidates.map((c) => `<s>[INST] ${input.system}\n${input.prompt} [/INST] ${c.text} </s>`));
    assert.deepEqual(rewards, served, 'rewards equal what /get_reward gives for the same texts');
    assert.equal(state.order.length, 4);
    assert.equal(state.best, state.order[0]);
    assert.equal(rewards[state.best ?? -1], Math.max(...rewards), 'the top candidate has the highest reward');
    for (let i = 1; i < state.order.length; i++) assert.ok((rewards[state.order[i - 1] ?? -1] ?? NaN) >= (rewards[state.order[i] ?? -1] ?? NaN));
    assert.equal(events.at(-1)?.type, 'done');
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i), 'sequence numbers count up without gaps');
  }

  it('one request with n = 4 where the probe says n works: streamed, demultiplexed, scored, ranked', async () => {
    const probe = await probeEndpoint(profile, { testN: true });
    assert.equal(probe.parallelN, true);
    assert.equal(probe.slots, 4);
    const { events, state } = await collect(runBestOfN(options({ capabilities: { parallelN: probe.parallelN, slots: probe.slots } })));
    assert.equal(ofType(events, 'started')[0]?.strategy, 'n');
    for (const index of [0, 1, 2, 3]) {
      const deltas = ofType(events, 'candidateDelta').filter((e) => e.index === index).map((e) => e.text).join('');
      assert.equal(deltas, state.candidates[index]?.text, `candidate ${index}: the deltas add up to its text`);
    }
    assert.equal(new Set(state.candidates.map((c) => c.text)).size, 4, 'four different candidates');
    await assertRankedByRealRewards(state, events);
  });

  it('N requests through the scheduler otherwise, with the same texts for the same seed', async () => {
    const seeded = { ...profile, sampling: { ...profile.sampling, seed: 42 } };
    const viaN = await collect(runBestOfN(options({ generator: { profile: seeded }, capabilities: { parallelN: true, slots: 4 } })));
    const scheduler = createScheduler({ concurrency: 2 });
    const parallel = await collect(runBestOfN(options({ generator: { profile: seeded }, scheduler })));
    assert.equal(ofType(parallel.events, 'started')[0]?.strategy, 'parallel');
    assert.equal(scheduler.stats.completed, 4, 'one scheduled request per candidate');
    assert.deepEqual(parallel.state.candidates.map((c) => c.text), viaN.state.candidates.map((c) => c.text));
    assert.ok(parallel.state.candidates.every((c) => typeof c.tokens === 'number' && c.tokens > 0 && !c.tokensEstimated), 'per-candidate tokens from usage, exact');
    // One request for 4 choices reports one total: each candidate's count comes from its streamed
    // pieces and that total. Exact only when proven; an estimate keeps the total and is labelled so.
    const exact = parallel.state.candidates.map((c) => c.tokens ?? NaN);
    const viaNTokens = viaN.state.candidates.map((c) => c.tokens ?? NaN);
    const usage = ofType(viaN.events, 'candidateTokens');
    assert.equal(viaNTokens.reduce((a, b) => a + b, 0), exact.reduce((a, b) => a + b, 0), `n = 4 counts ${JSON.stringify(viaNTokens)} add up to the request's total (exact ${JSON.stringify(exact)})`);
    viaN.state.candidates.forEach((c, i) => {
      if (!c.tokensEstimated) assert.equal(c.tokens, exact[i], `candidate ${i}: an exact count is the exact count`);
      assert.ok((c.tokens ?? 0) > 0, `candidate ${i} has a count`);
    });
    assert.ok(usage.length > 0 || viaN.state.candidates.every((c) => c.tokensEstimated), 'settled from the total, or all left as estimates');
    await assertRankedByRealRewards(parallel.state, parallel.events);
  });

  it('without a seed the run draws one, reports it, and that seed repeats the run', async () => {
    const unseeded = { ...profile, sampling: { ...profile.sampling, seed: undefined } };
    const first = await collect(runBestOfN(options({ generator: { profile: unseeded }, capabilities: { parallelN: true, slots: 4 } })));
    const seed = ofType(first.events, 'started')[0]?.seed;
    assert.ok(Number.isInteger(seed));
    const again = await collect(runBestOfN(options({ generator: { profile: { ...profile, sampling: { ...profile.sampling, seed } } }, capabilities: { parallelN: true, slots: 4 } })));
    assert.deepEqual(again.state.candidates.map((c) => c.text), first.state.candidates.map((c) => c.text));
  });

  it('vLLM-style /classify scores the same as /get_reward', async () => {
    const scorer = createRewardScorer({ kind: 'vllm', baseUrl: `${engine.url}/v1` });
    const { events, state } = await collect(runBestOfN(options({ scorer })));
    await assertRankedByRealRewards(state, events);
  });

  it('early stop: once two scores are in and the margin is met, the candidates still sampling stop unranked', async () => {
    const long = { ...profile, sampling: { ...profile.sampling, maxTokens: 600 } };
    // Concurrency 2: candidates 2 and 3 start only as 0 and 1 finish, so they are still sampling
    // when the second score arrives; margin 0 is met by any two scores.
    const { events, state } = await collect(runBestOfN(options({ generator: { profile: long }, scheduler: createScheduler({ concurrency: 2 }), earlyStop: { margin: 0 } })));
    const stop = ofType(events, 'earlyStop')[0];
    assert.ok(stop, 'an earlyStop event');
    assert.ok(stop.stopped.length > 0);
    assert.deepEqual(ofType(events, 'candidateStopped').map((e) => e.index), [...stop.stopped]);
    for (const index of stop.stopped) assert.equal(state.candidates[index]?.status, 'stopped');
    const done = state.candidates.filter((c) => c.status === 'done').map((c) => c.index);
    assert.deepEqual([...state.order].sort(), done.sort(), 'only finished candidates are ranked');
    assert.ok(done.every((i) => state.candidates[i]?.reward !== undefined));
    const before = ofType(events.slice(0, events.indexOf(stop)), 'scored');
    assert.ok(before.length >= 2, 'the rule waits for two scores');
    const leaderReward = before.find((e) => e.index === stop.leader)?.reward ?? NaN;
    assert.ok(before.every((e) => e.reward <= leaderReward), 'the leader had the best score when sampling stopped');
    assert.ok(events.findIndex((e) => e.type === 'earlyStop') < events.findIndex((e) => e.type === 'ranked'));
  });

  describe('bad reward servers: candidates stay, unscored, with the error; nothing is ranked', () => {
    let fake: FaultyRewardServer | undefined;
    afterEach(async () => {
      await fake?.close();
      fake = undefined;
    });

    async function assertUnscored(scorerUrl: string, kind: 'openrlhf' | 'vllm', expectedKind: string, message: RegExp): Promise<void> {
      const scorer = createRewardScorer({ kind, baseUrl: scorerUrl, retryPolicy: fastRetry, timeoutMs: 500 });
      const { events, state } = await collect(runBestOfN(options({ scorer })));
      assert.equal(state.candidates.filter((c) => c.status === 'done' && c.text !== '').length, 4, 'all four candidates are there');
      assert.equal(ofType(events, 'scored').length, 0);
      assert.equal(ofType(events, 'ranked').length, 0);
      const error = ofType(events, 'scoreError')[0];
      assert.equal(error?.kind, expectedKind);
      assert.deepEqual(error?.indexes, [0, 1, 2, 3]);
      assert.match(error?.message ?? '', message);
      assert.deepEqual(state.order, []);
      assert.equal(events.at(-1)?.type, 'done');
    }

    it('down', async () => assertUnscored(await downRewardUrl(), 'openrlhf', 'request', /refused the connection/));

    it('re-score once the reward server works: same run, real rewards, ranked', async () => {
      const down = createRewardScorer({ kind: 'openrlhf', baseUrl: await downRewardUrl(), retryPolicy: fastRetry });
      const first = await collect(runBestOfN(options({ scorer: down })));
      assert.ok(first.state.scoreError);
      let state = first.state;
      const events: BestOfNEvent[] = [];
      for await (const event of rescoreRun(state, { scorer: createRewardScorer({ kind: 'local', baseUrl: engine.url }), input })) {
        events.push(event);
        state = applyBestOfNEvent(state, event);
      }
      assert.equal(events[0]?.type, 'rescoring');
      assert.equal(events[0]?.seq, first.events.length, 'the sequence continues');
      assert.ok(events.every((e) => e.runId === first.events[0]?.runId));
      assert.equal(state.scoreError, undefined);
      await assertRankedByRealRewards(state, [...first.events, ...events]);
    });
    it('slow', async () => {
      fake = await startFaultyRewardServer({ kind: 'slow', delayMs: 10_000 });
      await assertUnscored(fake.url, 'openrlhf', 'request', /did not answer within/);
    });
    it('wrong number of scores', async () => {
      fake = await startFaultyRewardServer({ kind: 'wrongCount', delta: -1 });
      await assertUnscored(fake.url, 'vllm', 'wrongCount', /returned 3 scores for 4 texts/);
    });
    it('garbage', async () => {
      fake = await startFaultyRewardServer({ kind: 'nan' });
      await assertUnscored(fake.url, 'openrlhf', 'notANumber', /not a number/);
    });
    it('an engine without a reward model says how to start one', async () => {
      const tiny = await getTinyModel();
      const plain = await startEngine(['--model', tiny.modelPath, '--parallel', '1', '--context', '256', '--quiet']);
      try {
        await assertUnscored(plain.url, 'openrlhf', 'request', /--reward-model/);
      } finally {
        await plain.stop();
      }
    });
  });

  it('the judge fallback on the engine: no 1-5 score in nonsense text is an error, never a number', async () => {
    const judgeProfile = endpointProfileSchema.parse({ role: 'judge', baseUrl: `${engine.url}/v1`, model: '', format: 'chat', sampling: { maxTokens: 8 } });
    const scorer = createJudgeScorer({ client: new EndpointClient(judgeProfile), scheduler: createScheduler({ concurrency: 4 }), maxAttempts: 2 });
    assert.equal(scorer.isRewardModel, false);
    const { events, state } = await collect(runBestOfN(options({ n: 2, scorer })));
    assert.equal(ofType(events, 'started')[0]?.scorer?.isRewardModel, false);
    // Random text can contain "(3)" or "2/5" by chance; then the grade is real, not made up.
    const error = ofType(events, 'scoreError')[0];
    if (error) {
      assert.equal(error.kind, 'judgeUnreadable');
      assert.deepEqual(state.order, []);
    } else {
      assert.ok(state.candidates.every((c) => c.reward !== undefined && c.reward >= 1 && c.reward <= 5));
    }
  });

  it('cancel: the run ends with done { cancelled: true } and the engine gets its slots back', async () => {
    const controller = new AbortController();
    const long = { ...profile, sampling: { ...profile.sampling, maxTokens: 900 } };
    const seen: BestOfNEvent[] = [];
    for await (const event of runBestOfN(options({ generator: { profile: long }, capabilities: { parallelN: true, slots: 4 }, signal: controller.signal }))) {
      seen.push(event);
      if (event.type === 'candidateDelta') controller.abort();
    }
    assert.deepEqual(seen.at(-1), { runId: seen[0]?.runId, seq: seen.length - 1, type: 'done', cancelled: true });
    assert.equal(ofType(seen, 'ranked').length, 0);
    assert.equal(ofType(seen, 'candidateError').length, 0, 'a cancel is said once, not per candidate');
    for (let i = 0; i < 50; i++) {
      const props = (await (await fetch(`${engine.url}/props`)).json()) as { idle_slots: number };
      if (props.idle_slots === 4) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.fail('the engine did not free its slots after the cancel');
  });

  it('Compare Personas with a judge: each persona\'s answer graded on its own rubrics before done, a failing rubric stated, no rubrics no grades', async () => {
    const judge = await startJudgeServer({ plan: (r) => (r.user.includes('Uses pirate words?') ? { kind: 'text', text: 'I cannot say.' } : { kind: 'score' }) });
    try {
      const rubric = (criteria: string): { criteria: string; score_descriptions: Record<'1' | '2' | '3' | '4' | '5', string> } => ({ criteria, score_descriptions: { '1': 'no', '2': 'barely', '3': 'partly', '4': 'mostly', '5': 'fully' } });
      const personas = [
        { name: 'terse', system: 'You are terse.', rubrics: [rubric('Is it short?'), rubric('Is it correct?')] },
        { name: 'pirate', system: 'You talk like a pirate.', rubrics: [rubric('Uses pirate words?')] },
        { name: 'plain', system: 'You are plain.' },
      ];
      const judgeProfile = endpointProfileSchema.parse({ role: 'judge', baseUrl: judge.baseUrl, model: 'fake-judge', format: 'chat', sampling: {} });
      const rubricGrader = createRubricGrader({ client: new EndpointClient(judgeProfile, { retryPolicy: fastRetry }), scheduler: createScheduler({ concurrency: 4 }), maxAttempts: 2 });
      const { generator, scheduler, scorer } = options();
      const seen: ComparePersonasEvent[] = [];
      for await (const event of comparePersonas({ generator, scheduler, scorer, prompt: input.prompt, personas, runId: 'grade', rubricGrader })) seen.push(event);
      const runs = personas.map((_, i) => seen.flatMap((e) => (e.type === 'persona' && e.persona === i ? [e.event] : [])));
      const states = runs.map((events) => events.reduce(applyBestOfNEvent, initialBestOfNState()));
      // Terse: both rubrics graded, each the judge's score for the call about that rubric and this answer.
      const terse = states[0]!.rubricGrades;
      assert.equal(terse?.index, 0);
      const answer = states[0]!.candidates[0]!.text;
      terse?.items.forEach((item) => {
        const call = judge.requests.find((r) => r.user.includes(item.criteria) && r.user.includes(answer));
        assert.ok(call, `the judge was asked about "${item.criteria}" for this answer`);
        assert.equal(item.score, expectedScore(call.user));
        assert.match(item.feedback ?? '', /Feedback/);
      });
      const types = runs[0]!.map((e) => e.type);
      assert.ok(types.indexOf('rubricGrading') > types.indexOf('ranked') && types.lastIndexOf('rubricGraded') < types.indexOf('done'), `grades between ranked and done: ${types.join(',')}`);
      // Pirate: the judge never gave a score, so the rubric is unscored with the reason, after 2 tries.
      const pirate = states[1]!.rubricGrades?.items[0];
      assert.equal(pirate?.score, undefined);
      assert.match(pirate?.error ?? '', /gave no 1-5 score in 2 tries/);
      assert.equal(judge.requests.filter((r) => r.user.includes('Uses pirate words?')).length, 2);
      // Plain has no rubrics: not graded, no judge call for it.
      assert.equal(states[2]!.rubricGrades, undefined);
      assert.equal(judge.requests.length, 2 + 2, 'two terse rubrics, two tries on the pirate one');
      assert.ok(states.every((st) => st.finished && !st.cancelled && typeof st.candidates[0]?.reward === 'number'), 'rewards as before');
    } finally {
      await judge.close();
    }
  });

  it('Compare Personas: one answer per system message, each with the reward of its own persona', async () => {
    const personas = [
      { name: 'terse', system: 'You are terse.' },
      { name: 'teacher', system: 'You are a patient teacher who uses examples.' },
      { name: 'pirate', system: 'You talk like a pirate.' },
    ];
    const { generator, scheduler, scorer } = options();
    const seen: ComparePersonasEvent[] = [];
    for await (const event of comparePersonas({ generator, scheduler, scorer, prompt: input.prompt, personas, runId: 'cmp' })) seen.push(event);
    const last = seen.at(-1);
    assert.equal(last?.type, 'compared');
    if (last?.type !== 'compared') return;
    assert.equal(last.results.length, 3);
    assert.ok(last.results.every((r) => r.ranked && r.candidate === 0 && typeof r.text === 'string' && typeof r.reward === 'number'));
    const served = await getReward(last.results.map((r, i) => `<s>[INST] ${personas[i]?.system}\n${input.prompt} [/INST] ${r.text} </s>`));
    assert.deepEqual(last.results.map((r) => r.reward), served);
    const runIds = new Set(seen.flatMap((e) => (e.type === 'persona' ? [e.event.runId] : [])));
    assert.deepEqual([...runIds].sort(), ['cmp:0', 'cmp:1', 'cmp:2']);
    const started = seen.filter((e) => e.type === 'persona' && e.event.type === 'started');
    assert.equal(started.length, 3);
  });

  describe('janus best-of-n (CLI)', () => {
    it('--json prints [{rank, reward, text}] best first, with the rewards /get_reward gives', async () => {
      const run = await runCli(['best-of-n', '--system', input.system, '--prompt', input.prompt, '--n', '4', '--endpoint', `${engine.url}/v1`, '--max-tokens', '16', '--reward', engine.url, '--reward-kind', 'local', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const rows = JSON.parse(run.stdout) as { rank: number; reward: number; text: string }[];
      assert.deepEqual(rows.map((r) => r.rank), [1, 2, 3, 4]);
      for (let i = 1; i < rows.length; i++) assert.ok((rows[i - 1]?.reward ?? NaN) >= (rows[i]?.reward ?? NaN));
      const served = await getReward(rows.map((r) => `<s>[INST] ${input.system}\n${input.prompt} [/INST] ${r.text} </s>`));
      assert.deepEqual(rows.map((r) => r.reward), served);
    });

    it('a reward server that is down: unscored candidates on stdout, one error line, exit 1', async () => {
      const run = await runCli(['best-of-n', '--prompt', 'Say hi.', '--n', '2', '--endpoint', `${engine.url}/v1`, '--max-tokens', '8', '--reward', await downRewardUrl(), '--json']);
      assert.equal(run.code, 1);
      const rows = JSON.parse(run.stdout) as { rank: null; reward: null; text: string }[];
      assert.equal(rows.length, 2);
      assert.ok(rows.every((r) => r.rank === null && r.reward === null && r.text.length > 0));
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0] ?? '', /^janus best-of-n: Reward scoring failed: .*refused the connection.*unscored\.$/);
    });

    it('reads @files, prints the ranked text table without --json', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-bon-'));
      try {
        writeFileSync(path.join(dir, 'system.txt'), `${input.system}\n`);
        writeFileSync(path.join(dir, 'prompt.txt'), `${input.prompt}\n`);
        const run = await runCli(['best-of-n', '--system', `@${path.join(dir, 'system.txt')}`, '--prompt', `@${path.join(dir, 'prompt.txt')}`, '--n', '3', '--endpoint', `${engine.url}/v1`, '--max-tokens', '8', '--seed', '5', '--reward', engine.url, '--reward-kind', 'local']);
        assert.equal(run.code, 0, run.stderr);
        const headers = run.stdout.split('\n').filter((line) => /^#\d/.test(line));
        assert.equal(headers.length, 3);
        // Tokens per candidate only when each has its own request (the engine takes n = 4 in one).
        assert.match(headers[0] ?? '', /^#1  reward -?\d+\.\d{4}  \(candidate \d(, ~?\d+ tokens)?, (length|stop)\)$/);
        // The same seed with the files' text (trailing newline dropped) gives the same answers as inline text.
        const inline = await runCli(['best-of-n', '--system', input.system, '--prompt', input.prompt, '--n', '3', '--endpoint', `${engine.url}/v1`, '--max-tokens', '8', '--seed', '5', '--reward', engine.url, '--reward-kind', 'local']);
        assert.equal(inline.stdout, run.stdout);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('--reward-kind judge grades on the rubrics file and never prints a made-up score', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-bon-'));
      try {
        const rubrics = path.join(dir, 'persona.json');
        writeFileSync(rubrics, JSON.stringify({ rubrics: [{ criteria: 'Is it terse?', score_descriptions: { '1': 'no', '2': 'barely', '3': 'somewhat', '4': 'mostly', '5': 'yes' } }] }));
        const run = await runCli(['best-of-n', '--prompt', 'Say hi.', '--n', '2', '--endpoint', `${engine.url}/v1`, '--max-tokens', '6', '--reward', `${engine.url}/v1`, '--reward-kind', 'judge', '--rubrics', `@${rubrics}`, '--json']);
        const rows = JSON.parse(run.stdout) as { rank: number | null; reward: number | null }[];
        if (run.code === 1) {
          assert.match(run.stderr, /^janus best-of-n: The judge at http:\/\/127\.0\.0\.1:\d+ gave no 1-5 score in 5 tries/);
          assert.ok(rows.every((r) => r.reward === null && r.rank === null));
        } else {
          // Nonsense text can hold "(4)" by chance: then it is the judge's real grade.
          assert.ok(rows.every((r) => r.reward !== null && r.reward >= 1 && r.reward <= 5), run.stdout);
        }
        writeFileSync(rubrics, '{"rubrics": [{"criteria": "x"}]}');
        const bad = await runCli(['best-of-n', '--prompt', 'Say hi.', '--endpoint', `${engine.url}/v1`, '--reward', `${engine.url}/v1`, '--reward-kind', 'judge', '--rubrics', `@${rubrics}`]);
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /^janus best-of-n: --rubrics holds no valid rubrics .*score_descriptions/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('usage errors are one line plus the usage, exit 2', async () => {
      const run = await runCli(['best-of-n', '--prompt', 'x', '--endpoint', `${engine.url}/v1`, '--n', 'four']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^janus best-of-n: --n must be a whole number from 1 to 64, got "four"\n/);
    });

    it('an unreachable endpoint is one line saying what to do', async () => {
      const run = await runCli(['best-of-n', '--prompt', 'x', '--endpoint', `${await downRewardUrl()}/v1`]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^janus best-of-n: http:\/\/127\.0\.0\.1:\d+ could not be reached\. Start the server .* or fix --endpoint\.\n$/);
    });
  });
});
