// `--bench <file.parquet|folder>` through the real CLI commands: the same bench as JSON, as one
// Parquet file (Snappy, several row groups) and as two train-* shards must give the same responses
// file and the same evaluation file, keyed by row id. The judge server scores by a hash of the
// judge prompt, so a row whose content or id moved would change the file.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateCommand } from '../../../src/cli/commands/evaluate';
import { generateCommand } from '../../../src/cli/commands/generate';
import { writeBenchParquet, writeBenchShards } from '../../fixtures/bench/parquetBench';
import { syntheticInstance } from '../../fixtures/bench/syntheticBench';
import type { BatchServer } from '../../support/batchServer';
import { startBatchServer } from '../../support/batchServer';
import type { JudgeServer } from '../../support/judgeServer';
import { startJudgeServer } from '../../support/judgeServer';
import { useTempDir } from '../../support/tempDir';
import type { ReplyServer } from '../core/support/replyServer';
import { jsonReply, sseCompletion, startReplyServer } from '../core/support/replyServer';
import { runCommand } from './runCommand';

const rows = Array.from({ length: 11 }, (_, i) => syntheticInstance(i));

/** A generator whose answer is a digest of the prompt it was sent. */
function startEchoGenerator(): Promise<ReplyServer> {
  return startReplyServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') return jsonReply(res, 200, { object: 'list', data: [{ id: 'gen', object: 'model' }] });
    const prompt = String((req.body as { prompt?: unknown } | undefined)?.prompt ?? '');
    return sseCompletion(res, ['answer ', createHash('sha256').update(prompt).digest('hex').slice(0, 16)]);
  });
}

describe('CLI --bench with Parquet', function () {
  this.timeout(30_000);
  const dir = useTempDir('janus-cli-parquet-');
  let judge: JudgeServer | undefined;
  let generator: ReplyServer | undefined;
  let batch: BatchServer | undefined;
  after(async () => {
    await Promise.all([judge?.close(), generator?.close(), batch?.close()]);
  });

  function benches(): Record<string, string> {
    const json = path.join(dir(), 'bench.json');
    writeFileSync(json, JSON.stringify(rows, null, 2));
    const shards = path.join(dir(), 'shards');
    mkdirSync(shards, { recursive: true });
    writeBenchShards(shards, rows, 2);
    return { json, parquet: writeBenchParquet(path.join(dir(), 'bench.parquet'), rows, { rowGroupSize: 4 }), shards };
  }

  it('generate, evaluate and evaluate --batch give the same files from JSON, a Parquet file and shards', async () => {
    const inputs = benches();
    generator = await startEchoGenerator();
    judge = await startJudgeServer();
    const responses: Record<string, unknown> = {};
    const evaluations: Record<string, unknown> = {};
    for (const [name, bench] of Object.entries(inputs)) {
      const out = path.join(dir(), name, 'responses.json');
      const generated = await runCommand(generateCommand, ['--bench', bench, '--out', out, '--endpoint', generator.baseUrl, '--model', 'gen']);
      assert.equal(generated.code, 0, generated.output);
      responses[name] = JSON.parse(readFileSync(out, 'utf8'));
      const evaluation = path.join(dir(), name, 'evaluation.json');
      const judged = await runCommand(evaluateCommand, ['--bench', bench, '--responses', out, '--out', evaluation, '--judge', judge.baseUrl, '--judge-model', 'judge', '--no-cache']);
      assert.equal(judged.code, 0, judged.output);
      evaluations[name] = JSON.parse(readFileSync(evaluation, 'utf8'));
    }
    const reference = evaluations['json'] as Record<string, { score: (number | null)[]; prompt: string }>;
    assert.deepEqual(Object.keys(reference), rows.map((_, i) => String(i)));
    assert.equal(reference['7']?.prompt, rows[7]?.prompt);
    const scores = Object.values(reference).flatMap((e) => e.score);
    assert.equal(scores.length, 44);
    assert.ok(scores.every((s) => s !== null) && new Set(scores).size > 1, `scores: ${scores.join(',')}`);
    const answers = new Set(Object.values(responses['json'] as Record<string, { response: string }>).map((r) => r.response));
    assert.equal(answers.size, rows.length, 'each row got its own prompt');
    for (const name of ['parquet', 'shards']) {
      assert.deepEqual(responses[name], responses['json'], `${name} responses`);
      assert.deepEqual(evaluations[name], evaluations['json'], `${name} evaluation`);
    }

    // evaluate --batch (the Batch API fake replies as the live judge does) on the shards.
    batch = await startBatchServer();
    const out = path.join(dir(), 'batch', 'evaluation.json');
    const batched = await runCommand(evaluateCommand, ['--bench', inputs['shards'] ?? '', '--responses', path.join(dir(), 'shards', 'responses.json'), '--out', out, '--judge', batch.baseUrl, '--judge-model', 'judge', '--no-cache', '--batch', '--poll-ms', '10']);
    assert.equal(batched.code, 0, batched.output);
    assert.equal(batch.batches[0]?.requests.length, 44);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), evaluations['json'], 'batch evaluation of the shards');
  });

  it('stops before any call on a Parquet with a broken row, naming row and column', async () => {
    const broken = rows.map((r, i) => (i === 6 ? { ...r, reference_answer: null } : r));
    const bench = writeBenchParquet(path.join(dir(), 'broken.parquet'), broken);
    const responses = path.join(dir(), 'broken.responses.json');
    writeFileSync(responses, JSON.stringify(Object.fromEntries(rows.map((_, i) => [String(i), { response: 'x' }]))));
    judge ??= await startJudgeServer();
    const before = judge.requests.length;
    await assert.rejects(runCommand(evaluateCommand, ['--bench', bench, '--responses', responses, '--out', path.join(dir(), 'broken', 'e.json'), '--judge', judge.baseUrl, '--judge-model', 'judge', '--no-cache']), /broken\.parquet: row 6, column reference_answer: empty \(null\); write an answer that deserves a score of 5\./);
    assert.equal(judge.requests.length, before);
  });
});
