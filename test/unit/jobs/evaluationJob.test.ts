import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchInstance } from '../../../src/core/bench/benchSchema';
import { readEvaluationFile, readResponsesFile } from '../../../src/core/bench/resultFiles';
import { memoryCallCache } from '../../../src/core/jobs/callCache';
import { evaluationOutputs, runEvaluationJob } from '../../../src/core/jobs/evaluationJob';
import { runGenerationJob } from '../../../src/core/jobs/generationJob';
import { createScheduler } from '../../../src/core/jobs/scheduler';
import type { TextModel } from '../../../src/core/jobs/textModel';
import type { JanusInput } from '../../../src/core/prompts/janusFormat';
import { useTempDir } from '../../support/tempDir';

const rubric = (criteria: string) => ({ criteria, score_descriptions: { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' } });
const bench: BenchInstance[] = Array.from({ length: 5 }, (_, i) => ({
  id: String(i), index: i, source: i < 3 ? 'a' : 'b', system: `sys ${i}`, prompt: `prompt ${i}`, reference_answer: `ref ${i}`,
  rubrics: [rubric(`c${i}-0`), rubric(`c${i}-1`), rubric(`c${i}-2`), rubric(`c${i}-3`)],
}));
const responses = Object.fromEntries(bench.map((b) => [b.id, { response: `answer ${b.id}` }]));

/** A scripted model: the test decides each reply; every call is counted by prompt. */
function scriptedModel(reply: (input: JanusInput, call: number) => string | Promise<string>): TextModel & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    identity: '{"judge":"scripted"}',
    maxTokens: 100,
    async complete(input) {
      calls.push(input.prompt);
      return { text: await reply(input, calls.length), usage: { promptTokens: 10, completionTokens: 5 } };
    },
  };
}

const scoreFor = (prompt: string): number => (prompt.length % 5) + 1;

describe('evaluation job', () => {
  const dir = useTempDir('janus-evaljob-');

  it('judges every item, writes the original shape and a summary', async () => {
    const judge = scriptedModel((input) => `Feedback: fine. [RESULT] ${scoreFor(input.prompt)}`);
    const out = path.join(dir(), 'one', 'evaluation.json');
    const progress: number[] = [];
    const result = await runEvaluationJob({ instances: bench, responses, judge, scheduler: createScheduler({ concurrency: 3 }), outFile: out, checkpointFile: `${out}.ckpt`, onProgress: (p) => progress.push(p.done) });
    assert.equal(judge.calls.length, 20);
    assert.deepEqual([result.summary.scored, result.summary.unscored, result.summary.missing], [20, 0, 0]);
    const file = await readEvaluationFile(out);
    assert.deepEqual(Object.keys(file), ['0', '1', '2', '3', '4']);
    assert.equal(file['2']?.rubric[1]?.criteria, 'c2-1');
    assert.deepEqual(file['2']?.feedback, ['Feedback: fine.', 'Feedback: fine.', 'Feedback: fine.', 'Feedback: fine.']);
    assert.equal(file['2']?.score.length, 4);
    assert.equal(progress.at(-1), 20);
    const summary = JSON.parse(await readFile(evaluationOutputs(out, 1).summary, 'utf8')) as { overall: number; scored: number };
    assert.equal(summary.scored, 20);
    assert.equal(summary.overall, result.summary.overall);
  });

  it('asks again when a reply has no score, and records unscored (null, reply kept) after the last attempt', async () => {
    const judge = scriptedModel((input) => {
      if (input.prompt.includes('c0-0')) return 'I refuse to grade.';
      const before = judge.calls.filter((p) => p === input.prompt).length;
      return before === 1 ? 'Looks fine overall.' : `Feedback: ok [RESULT] 4`;
    });
    const out = path.join(dir(), 'retry', 'evaluation.json');
    const result = await runEvaluationJob({ instances: bench, responses, judge, scheduler: createScheduler({ concurrency: 4 }), outFile: out, checkpointFile: `${out}.ckpt`, maxAttempts: 3 });
    assert.equal(judge.calls.filter((p) => p.includes('c0-0')).length, 3, 'bounded by maxAttempts');
    assert.equal(judge.calls.length, 3 + 19 * 2, 'every other item needed exactly one retry');
    assert.equal(result.summary.unscored, 1);
    const file = await readEvaluationFile(out);
    assert.equal(file['0']?.score[0], null);
    assert.equal(file['0']?.feedback[0], 'I refuse to grade.');
    assert.equal(file['0']?.score[1], 4);
    assert.equal(result.summary.perInstance['0']?.mean, 4, 'the unscored item is not a number in the mean');
  });

  it('resumes after a crash that cut the last checkpoint line, without repeating finished calls', async () => {
    const out = path.join(dir(), 'crash', 'evaluation.json');
    const checkpointFile = `${out}.ckpt`;
    const controller = new AbortController();
    const first = scriptedModel(async (input, call) => {
      if (call === 8) controller.abort();
      return `Feedback: x [RESULT] ${scoreFor(input.prompt)}`;
    });
    const stopped = await runEvaluationJob({ instances: bench, responses, judge: first, scheduler: createScheduler({ concurrency: 1 }), outFile: out, checkpointFile, signal: controller.signal });
    assert.equal(stopped.cancelled, true);
    const lines = (await readFile(checkpointFile, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 7, 'the 8th call was cancelled mid-flight, so 7 are recorded');
    // The crash: the last record is only half written.
    await writeFile(checkpointFile, lines.join('\n').slice(0, -25));
    const second = scriptedModel((input) => `Feedback: x [RESULT] ${scoreFor(input.prompt)}`);
    const resumed = await runEvaluationJob({ instances: bench, responses, judge: second, scheduler: createScheduler({ concurrency: 2 }), outFile: out, checkpointFile });
    assert.equal(second.calls.length, 20 - 6, '6 intact records are reused; the torn one is judged again');
    assert.equal(new Set([...first.calls.slice(0, 6), ...second.calls]).size, 20, 'no finished call repeated');
    assert.equal(resumed.summary.scored, 20);
    assert.equal(resumed.progress.reused, 6);
  });

  it('redoes checkpoint lines whose result id or rubric index disagrees with their key', async () => {
    const out = path.join(dir(), 'mismatch', 'evaluation.json');
    const checkpointFile = `${out}.ckpt`;
    const judge = scriptedModel(() => 'Feedback: [RESULT] 5');
    await runEvaluationJob({ instances: bench, responses, judge, scheduler: createScheduler({ concurrency: 4 }), outFile: out, checkpointFile });
    type Line = { key: string; result: { id: string; rubricIndex: number } };
    const lines = (await readFile(checkpointFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Line);
    // Two lines keep their key and fingerprint but claim another item (a hand edit, a bug elsewhere).
    for (const line of lines) {
      if (line.key === '0/2/1') line.result.id = '3';
      if (line.key === '0/4/0') line.result.rubricIndex = 3;
    }
    await writeFile(checkpointFile, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const again = scriptedModel(() => 'Feedback: [RESULT] 2');
    const result = await runEvaluationJob({ instances: bench, responses, judge: again, scheduler: createScheduler({ concurrency: 4 }), outFile: out, checkpointFile });
    assert.equal(again.calls.length, 2, 'exactly the two disagreeing lines are judged again');
    assert.deepEqual([result.summary.scored, result.summary.missing], [20, 0]);
    const file = await readEvaluationFile(out);
    assert.deepEqual([file['2']?.score[1], file['4']?.score[0], file['3']?.score[1]], [2, 2, 5]);
  });

  it('judges instances with ids like __proto__ and constructor, through every file written and read back', async () => {
    const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a'];
    const odd = ids.map((id, i) => ({ ...bench[i]!, id }));
    const folder = path.join(dir(), 'proto');
    // Responses: generated by the job, written, read back as a file.
    const generator = scriptedModel((input) => `answer to ${input.prompt}`);
    const responsesFile = path.join(folder, 'responses.json');
    await runGenerationJob({ instances: odd, generator, scheduler: createScheduler({ concurrency: 2 }), outFile: responsesFile, checkpointFile: `${responsesFile}.ckpt` });
    const read = await readResponsesFile(responsesFile);
    assert.deepEqual(Object.keys(read).sort(), [...ids].sort());
    const judge = scriptedModel(() => 'Feedback: fine [RESULT] 4');
    const out = path.join(folder, 'evaluation.json');
    const first = await runEvaluationJob({ instances: odd, responses: read, judge, scheduler: createScheduler({ concurrency: 2 }), outFile: out, checkpointFile: `${out}.ckpt` });
    assert.deepEqual([first.summary.scored, first.summary.missing, first.missingResponses.length], [20, 0, 0]);
    const file = await readEvaluationFile(out);
    for (const id of ids) assert.deepEqual(Object.hasOwn(file, id) ? file[id]?.score : undefined, [4, 4, 4, 4], id);
    // The rerun takes all 20 from the checkpoint.
    const again = await runEvaluationJob({ instances: odd, responses: read, judge, scheduler: createScheduler({ concurrency: 2 }), outFile: out, checkpointFile: `${out}.ckpt` });
    assert.deepEqual([judge.calls.length, again.progress.reused], [20, 20]);
    // A responses object with a prototype (a host's own) still has no response for "constructor".
    const plain = Object.fromEntries(ids.filter((id) => id !== 'constructor').map((id) => [id, { response: 'x' }]));
    const partial = await runEvaluationJob({ instances: odd, responses: plain, judge, scheduler: createScheduler({ concurrency: 2 }), outFile: path.join(folder, 'p.json'), checkpointFile: path.join(folder, 'p.ckpt') });
    assert.deepEqual(partial.missingResponses, ['constructor']);
  });

  it('does not reuse checkpoint records made with another judge or prompt', async () => {
    const out = path.join(dir(), 'stale', 'evaluation.json');
    const a = scriptedModel(() => 'Feedback: [RESULT] 5');
    await runEvaluationJob({ instances: bench, responses, judge: a, scheduler: createScheduler({ concurrency: 4 }), outFile: out, checkpointFile: `${out}.ckpt` });
    const b = { ...scriptedModel(() => 'Feedback: [RESULT] 1'), identity: '{"judge":"other"}' };
    const result = await runEvaluationJob({ instances: bench, responses, judge: b, scheduler: createScheduler({ concurrency: 4 }), outFile: out, checkpointFile: `${out}.ckpt` });
    assert.equal(b.calls.length, 20);
    assert.equal(result.summary.overall, 1);
  });

  it('uses the cache across runs, and keeps runs apart', async () => {
    const cache = memoryCallCache();
    const judge = scriptedModel(() => 'Feedback: [RESULT] 3');
    const out = path.join(dir(), 'cache', 'a.json');
    const twoRuns = await runEvaluationJob({ instances: bench, responses, judge, scheduler: createScheduler({ concurrency: 4 }), outFile: out, checkpointFile: `${out}.ckpt`, cache, runs: 2 });
    assert.equal(judge.calls.length, 40, 'run 2 is a fresh sample, not a cache hit of run 1');
    assert.deepEqual(twoRuns.files.evaluations.map((f) => path.basename(f)), ['a.run1.json', 'a.run2.json']);
    const other = path.join(dir(), 'cache', 'b.json');
    const again = await runEvaluationJob({ instances: bench, responses, judge, scheduler: createScheduler({ concurrency: 4 }), outFile: other, checkpointFile: `${other}.ckpt`, cache, runs: 2 });
    assert.equal(judge.calls.length, 40, 'a new run of the same evaluation costs nothing');
    assert.equal(again.progress.reused, 40);
  });

  it('refuses a checkpoint folder that cannot be created before making any call, naming the path and the cause', async () => {
    const blocker = path.join(dir(), 'a-file');
    await writeFile(blocker, 'in the way');
    const judge = scriptedModel(() => 'Feedback: [RESULT] 3');
    const out = path.join(dir(), 'nowrite', 'e.json');
    const checkpointFile = path.join(blocker, 'run', 'ckpt.jsonl');
    await assert.rejects(
      runEvaluationJob({ instances: bench, responses, judge, scheduler: createScheduler({ concurrency: 1 }), outFile: out, checkpointFile }),
      (error: Error) => error.message.includes(`Cannot write ${checkpointFile}`) && /\(ENOTDIR\)/.test(error.message),
    );
    assert.equal(judge.calls.length, 0, 'no call was paid');
  });

  it('stops early with the error when the endpoint rejects every call alike', async () => {
    const judge = scriptedModel(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      throw new Error('connection refused');
    });
    const out = path.join(dir(), 'down', 'e.json');
    const result = await runEvaluationJob({ instances: bench, responses, judge, scheduler: createScheduler({ concurrency: 1 }), outFile: out, checkpointFile: `${out}.ckpt` });
    assert.match(result.stoppedBy?.message ?? '', /Stopped after 10 failed calls in a row \(last: connection refused\)/);
    // The slot freed by the 10th failure may start one more call before the job stops.
    assert.ok(judge.calls.length <= 11, `${judge.calls.length} calls`);
    assert.equal(result.summary.missing, 20);
  });
});

describe('generation job', () => {
  const dir = useTempDir('janus-genjob-');

  it('generates every instance into the responses shape and resumes from the checkpoint', async () => {
    const model = scriptedModel((input) => `reply to ${input.prompt}`);
    const out = path.join(dir(), 'r.json');
    const result = await runGenerationJob({ instances: bench, generator: model, scheduler: createScheduler({ concurrency: 2 }), outFile: out, checkpointFile: `${out}.ckpt` });
    assert.deepEqual(result.responses['3'], { response: 'reply to prompt 3' });
    assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), { ...result.responses });
    await runGenerationJob({ instances: bench, generator: model, scheduler: createScheduler({ concurrency: 2 }), outFile: out, checkpointFile: `${out}.ckpt` });
    assert.equal(model.calls.length, 5);
  });
});
