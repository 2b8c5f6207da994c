// `janus generate` against the real local engine and `janus evaluate` against a judge that
// injects faults (the fake judge is for faults only: no score, 429, a killed run).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchText } from '../../src/core/bench/benchFile';
import { evaluationFileSchema, responsesFileSchema } from '../../src/core/bench/resultFiles';
import type { RunningEngine } from '../support/engineProcess';
import { cliPath, runCli, startEngine } from '../support/engineProcess';
import type { JudgeServer, JudgeServerOptions } from '../support/judgeServer';
import { expectedScore, startJudgeServer } from '../support/judgeServer';
import { getTinyModel } from '../support/tinyModelFixture';

const benchFile = path.join(__dirname, '../fixtures/bench/small.bench.json');
const bench = parseBenchText(readFileSync(benchFile, 'utf8')).instances;
const items = bench.reduce((n, i) => n + i.rubrics.length, 0);

describe('janus generate + evaluate', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-cli-eval-'));
  const responsesFile = path.join(dir, 'tiny_responses.json');
  const servers: JudgeServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const judge = async (options: JudgeServerOptions): Promise<JudgeServer> => {
    const server = await startJudgeServer(options);
    servers.push(server);
    return server;
  };
  const evaluate = (server: JudgeServer, out: string, ...extra: string[]): ReturnType<typeof runCli> =>
    runCli(['evaluate', '--bench', benchFile, '--responses', responsesFile, '--out', path.join(dir, out), '--judge', server.baseUrl, ...extra]);
  const readEvaluation = (out: string) => evaluationFileSchema.parse(JSON.parse(readFileSync(path.join(dir, out), 'utf8')));

  describe('generate against the local engine', () => {
    let engine: RunningEngine;
    before(async () => {
      const tiny = await getTinyModel();
      engine = await startEngine(['--model', tiny.modelPath, '--reward-model', tiny.rewardModelPath, '--parallel', '4', '--context', '1024', '--quiet']);
    });
    after(async () => {
      await engine.stop();
    });

    it('writes a response for every instance in the original shape, and a rerun reuses them', async () => {
      const args = ['generate', '--bench', benchFile, '--out', responsesFile, '--endpoint', `${engine.url}/v1`, '--max-tokens', '24', '--concurrency', '2', '--seed', '7'];
      const run = await runCli(args);
      assert.equal(run.code, 0, run.stderr);
      const responses = responsesFileSchema.parse(JSON.parse(readFileSync(responsesFile, 'utf8')));
      // JSON objects list integer-like keys first, whatever the insertion order.
      assert.deepEqual(Object.keys(responses), ['0', '1', '3', 'budget-1']);
      for (const entry of Object.values(responses)) assert.ok(entry.response.length > 0);
      assert.match(run.stdout, /wrote .*tiny_responses\.json: 4 of 4 responses/);
      const again = await runCli(args);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /4\/4 generations \(100%\) · 4 reused/);
      assert.deepEqual(responsesFileSchema.parse(JSON.parse(readFileSync(responsesFile, 'utf8'))), responses);
    });

    it('with --n keeps the best of N candidates by the engine reward head, with its reward', async () => {
      const out = path.join(dir, 'bo3_responses.json');
      const run = await runCli(['generate', '--bench', benchFile, '--out', out, '--endpoint', `${engine.url}/v1`, '--max-tokens', '16', '--n', '3', '--reward', engine.url, '--reward-kind', 'local', '--seed', '3']);
      assert.equal(run.code, 0, run.stderr);
      const responses = responsesFileSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
      assert.equal(Object.keys(responses).length, 4);
      for (const entry of Object.values(responses)) {
        assert.ok(entry.response.length > 0);
        assert.equal(typeof entry.reward, 'number');
        assert.ok(Number.isFinite(entry.reward));
      }
    });

    it('refuses --n without a reward server', async () => {
      const run = await runCli(['generate', '--bench', benchFile, '--out', path.join(dir, 'x.json'), '--endpoint', `${engine.url}/v1`, '--n', '4']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--n needs --reward <url>/);
    });
  });

  describe('evaluate against a faulty judge', () => {
    it('asks again when a reply has no score and gets every item scored', async () => {
      const server = await judge({ plan: (r) => (r.repeat === 0 ? { kind: 'text', text: 'This reads well, I think.' } : { kind: 'score' }) });
      const run = await evaluate(server, 'retry.json', '--no-cache');
      assert.equal(run.code, 0, run.stderr);
      assert.equal(server.requests.length, items * 2);
      const evaluation = readEvaluation('retry.json');
      for (const instance of bench) {
        const entry = evaluation[instance.id];
        assert.ok(entry, instance.id);
        assert.equal(entry.prompt, instance.prompt);
        assert.equal(entry.score.length, instance.rubrics.length);
        entry.score.forEach((score, i) => {
          const prompt = server.requests.find((r) => r.repeat === 1 && r.user.includes(instance.rubrics[i]?.criteria ?? '?'))?.user ?? '';
          assert.equal(score, expectedScore(prompt));
        });
      }
      assert.match(run.stdout, /items: 16 · scored 16 · unscored 0/);
    });

    it('records items that never get a score as unscored, keeps the reply, exits non-zero with the count', async () => {
      const server = await judge({ plan: (r) => (r.user.includes('Why is the sky blue?') ? { kind: 'text', text: 'I would rather not grade this.' } : { kind: 'score' }) });
      const run = await evaluate(server, 'unscored.json', '--no-cache');
      assert.equal(run.code, 1);
      assert.match(run.stderr, /4 rubric item\(s\) ended unscored/);
      assert.equal(server.requests.length, 12 + 4 * 5, 'each unscored item was asked 5 times, no more');
      const entry = readEvaluation('unscored.json')['1'];
      assert.deepEqual(entry?.score, [null, null, null, null]);
      assert.deepEqual(entry?.feedback, Array(4).fill('I would rather not grade this.'));
      assert.match(run.stdout, /unscored 4/);
    });

    it('honours retry-after on 429', async () => {
      const server = await judge({ plan: (r) => (r.index === 0 ? { kind: 'status', status: 429, retryAfter: '1', message: 'slow down' } : { kind: 'score' }) });
      const run = await evaluate(server, 'ratelimited.json', '--no-cache', '--concurrency', '1');
      assert.equal(run.code, 0, run.stderr);
      const [first, second] = server.requests;
      assert.equal(second?.user, first?.user, 'the limited call is the next one sent');
      assert.ok((second?.at ?? 0) - (first?.at ?? 0) >= 950, `waited ${(second?.at ?? 0) - (first?.at ?? 0)} ms`);
      assert.equal(server.requests.length, items + 1);
    });

    it('fails only the items whose replies are garbage or stall; a rerun judges just those', async () => {
      let healthy = false;
      const server = await judge({
        plan: (r) => {
          if (healthy) return { kind: 'score' };
          if (r.user.includes('Why is the sky blue?')) return { kind: 'garbage' };
          if (r.user.includes('cook rice')) return { kind: 'stall' };
          return { kind: 'score' };
        },
      });
      const first = await evaluate(server, 'faults.json', '--no-cache', '--timeout-ms', '400');
      assert.equal(first.code, 1);
      assert.match(first.stderr, /8 rubric item\(s\) were not judged \(their calls failed\); run the same command again/);
      assert.match(first.stdout, /scored 8 · unscored 0 · not judged 8/);
      const before = server.requests.length;
      healthy = true;
      const second = await evaluate(server, 'faults.json', '--no-cache', '--timeout-ms', '400');
      assert.equal(second.code, 0, second.stderr);
      const rerun = server.requests.slice(before);
      assert.equal(rerun.length, 8);
      assert.ok(rerun.every((r) => r.user.includes('Why is the sky blue?') || r.user.includes('cook rice')));
      assert.deepEqual(readEvaluation('faults.json')['1']?.score.every((s) => s !== null), true);
    });

    it('resumes a killed run without repeating finished calls', async () => {
      const server = await judge({ latencyMs: 60 });
      const out = path.join(dir, 'killed.json');
      const child = spawn(process.execPath, [cliPath, 'evaluate', '--bench', benchFile, '--responses', responsesFile, '--out', out, '--judge', server.baseUrl, '--no-cache', '--concurrency', '2'], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      while (server.completed.length < 6) await new Promise((resolve) => setTimeout(resolve, 10));
      child.kill('SIGKILL');
      await exited;
      assert.equal(existsSync(out), false, 'no final file from a killed run');
      const lines = readFileSync(`${out}.checkpoint.jsonl`, 'utf8').split('\n').filter((l) => l.trim() !== '');
      const recorded = lines.filter((l) => {
        try {
          JSON.parse(l);
          return true;
        } catch {
          return false;
        }
      }).length;
      assert.ok(recorded >= 4 && recorded < items, `${recorded} recorded`);
      const before = server.requests.length;
      const run = await runCli(['evaluate', '--bench', benchFile, '--responses', responsesFile, '--out', out, '--judge', server.baseUrl, '--no-cache', '--concurrency', '2']);
      assert.equal(run.code, 0, run.stderr);
      const resumed = server.requests.slice(before);
      assert.equal(resumed.length, items - recorded, 'only the calls not in the checkpoint are made again');
      assert.equal(new Set(resumed.map((r) => r.user)).size, resumed.length);
      assert.equal(new Set(server.requests.map((r) => r.user)).size, items);
      assert.match(run.stdout, /scored 16 · unscored 0 · not judged 0/);
    });

    it('on Ctrl+C stops, writes what it has, exits 130; the same command then finishes the rest', async () => {
      const server = await judge({ latencyMs: 80 });
      const out = path.join(dir, 'interrupted.json');
      const args = ['evaluate', '--bench', benchFile, '--responses', responsesFile, '--out', out, '--judge', server.baseUrl, '--no-cache', '--concurrency', '2'];
      const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      while (server.completed.length < 4) await new Promise((resolve) => setTimeout(resolve, 10));
      child.kill('SIGINT');
      assert.equal(await exited, 130, stderr);
      assert.match(stderr, /run the same command again to continue/);
      const partial = readEvaluation('interrupted.json');
      const scored = Object.values(partial).flatMap((e) => e.score).filter((s) => s !== null).length;
      assert.ok(scored >= 3 && scored < items, `${scored} scored before the stop`);
      const before = server.requests.length;
      const run = await runCli(args);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(server.requests.length - before, items - scored);
    });

    it('serves a second evaluation of the same responses from the reply cache', async () => {
      const server = await judge({});
      const first = await evaluate(server, 'cached-a.json');
      assert.equal(first.code, 0, first.stderr);
      assert.equal(server.requests.length, items);
      const second = await evaluate(server, 'cached-b.json');
      assert.equal(second.code, 0, second.stderr);
      assert.equal(server.requests.length, items, 'no call the second time');
      assert.deepEqual(readEvaluation('cached-b.json'), readEvaluation('cached-a.json'));
    });

    it('refuses a bench with problems, naming file, line and column', async () => {
      const broken = path.join(dir, 'broken.json');
      writeFileSync(broken, '[\n  {"source": "s", "system": "", "prompt": "p", "rubrics": [{"criteria": "c", "score_descriptions": {"1": "a"}}]}\n]');
      const server = await judge({});
      const run = await runCli(['evaluate', '--bench', broken, '--responses', responsesFile, '--out', path.join(dir, 'b.json'), '--judge', server.baseUrl]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /broken\.json:2:\d+: Instance 0: add "reference_answer"/);
      assert.match(run.stderr, /has no description for score 2/);
      assert.equal(server.requests.length, 0);
    });
  });
});
