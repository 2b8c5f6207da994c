// `janus evaluate --batch` (the built CLI) against the fake Batch API: submits, polls with a status
// line, writes the same files as the live command; a run killed while polling resumes the same
// batch when the same command runs again (one upload, one create in total); a reply without a
// score ends unscored with exit code 1, and the live command then judges just that item.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchText } from '../../src/core/bench/benchFile';
import { evaluationFileSchema } from '../../src/core/bench/resultFiles';
import type { BatchServer, BatchServerOptions } from '../support/batchServer';
import { startBatchServer } from '../support/batchServer';
import { cliPath, runCli } from '../support/engineProcess';

const benchFile = path.join(__dirname, '../fixtures/bench/small.bench.json');
const bench = parseBenchText(readFileSync(benchFile, 'utf8')).instances;

describe('janus evaluate --batch', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-cli-batch-'));
  const responsesFile = path.join(dir, 'm_responses.json');
  writeFileSync(responsesFile, JSON.stringify(Object.fromEntries(bench.map((i) => [i.id, { response: `An answer for ${i.id}.` }]))));
  const servers: BatchServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const server = async (options: BatchServerOptions): Promise<BatchServer> => {
    const s = await startBatchServer(options);
    servers.push(s);
    return s;
  };
  const args = (s: { baseUrl: string }, out: string, ...extra: string[]): string[] =>
    ['evaluate', '--bench', benchFile, '--responses', responsesFile, '--out', path.join(dir, out), '--judge', s.baseUrl, '--judge-model', 'fake-judge', '--no-cache', ...extra];

  it('submits, polls with a status line and writes the evaluation file and summary', async () => {
    const s = await server({ looksToFinish: 3 });
    const run = await runCli(args(s, 'batch.json', '--batch', '--poll-ms', '10'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /batch batch_1: in_progress \d+\/16/);
    assert.match(run.stderr, /batch batch_1: completed 16\/16/);
    assert.match(run.stdout, /scored 16 · unscored 0 · not judged 0/);
    const file = evaluationFileSchema.parse(JSON.parse(readFileSync(path.join(dir, 'batch.json'), 'utf8')));
    assert.equal(Object.values(file).flatMap((e) => e.score).filter((x) => typeof x === 'number').length, 16);
    assert.deepEqual([s.calls['upload'], s.calls['create']], [1, 1]);
  });

  it('a run killed while polling resumes the same batch when the same command runs again', async () => {
    const s = await server({ looksToFinish: 1_000_000 });
    const child = spawn(process.execPath, [cliPath, ...args(s, 'killed.json', '--batch', '--poll-ms', '10')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    while (!stderr.includes('in_progress')) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    await exited;
    s.finishAfter(0);
    const run = await runCli(args(s, 'killed.json', '--batch', '--poll-ms', '10'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /resuming batch batch_1 from .*killed\.json\.batch\.json/);
    assert.deepEqual([s.calls['upload'], s.calls['create'], s.batches.length], [1, 1, 1]);
    assert.match(run.stdout, /scored 16 · unscored 0/);
  });

  it('a reply without a score ends unscored (exit 1); the live command then judges just that item', async () => {
    const s = await server({ reply: ({ customId }) => (customId === '3_2' ? { kind: 'text', text: 'No grade from me.' } : { kind: 'score' }) });
    const run = await runCli(args(s, 'unscored.json', '--batch', '--poll-ms', '10'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /1 rubric item\(s\) unscored .* run the same command without --batch to judge just those live/);
    const unscored = evaluationFileSchema.parse(JSON.parse(readFileSync(path.join(dir, 'unscored.json'), 'utf8')));
    assert.deepEqual([unscored['3']?.score[2], unscored['3']?.feedback[2]], [null, 'No grade from me.']);
    // Live chat completions at the same server (as the hosted API): only the unscored item is asked.
    const rerun = await runCli(args(s, 'unscored.json'));
    assert.equal(rerun.code, 0, rerun.stderr);
    const sent = s.batches[0]?.requests.find((r) => r.customId === '3_2')?.user;
    assert.deepEqual(s.chats, [sent]);
    assert.match(rerun.stdout, /scored 16 · unscored 0/);
  });
});
