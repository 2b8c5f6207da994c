import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compareCommand } from '../../../src/cli/commands/compare';
import { useTempDir } from '../../support/tempDir';
import { runCommand } from './runCommand';

const rubric = { criteria: 'c', score_descriptions: { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' } };

/** An evaluation file in the original shape: one entry per instance id with its rubric scores. */
function evaluation(scores: Record<string, (number | null)[]>): string {
  const entries = Object.entries(scores).map(([id, score]) => [
    id,
    { id, source: 's', system: 'sys', prompt: 'p', reference_answer: 'r', rubric: score.map(() => rubric), response: 'x', feedback: score.map(() => 'f'), score },
  ]);
  return JSON.stringify(Object.fromEntries(entries));
}

describe('janus compare', () => {
  const dir = useTempDir('janus-compare-');

  async function write(name: string, scores: Record<string, (number | null)[]>): Promise<string> {
    const file = path.join(dir(), name);
    await writeFile(file, evaluation(scores));
    return file;
  }

  /** 60 instances; b scores one point higher on one of four rubrics for 45 of them. */
  function pair(): { a: Record<string, number[]>; b: Record<string, number[]> } {
    const a: Record<string, number[]> = {};
    const b: Record<string, number[]> = {};
    for (let i = 0; i < 60; i++) {
      const base = [3 + (i % 3), 4, 3 + (i % 2), 4];
      a[String(i)] = base;
      b[String(i)] = i % 4 === 0 ? base : [base[0] ?? 3, 5, base[2] ?? 3, base[3] ?? 4];
    }
    return { a, b };
  }

  it('prints both means with intervals and the paired verdict', async () => {
    const { a, b } = pair();
    const { code, output } = await runCommand(compareCommand, [await write('a.json', a), await write('b.json', b), '--resamples', '2000']);
    assert.equal(code, 0, output);
    assert.match(output, /mean \d\.\d\d \[\d\.\d\d, \d\.\d\d\] over 60 instances, 1 run/);
    // 45 of 60 instances gain 0.25: the mean difference is 0.1875, shown as +0.19.
    assert.match(output, /b - a \+0\.19 \[\+0\.1\d, \+0\.2\d\], p < 0\.001, 45 better \/ 0 worse \/ 15 tied \(60 paired instances, 95% interval\)/);
    assert.match(output, /missing: in a none; in b none/);
  });

  it('reads the per-run files of evaluate --runs and averages runs inside an instance', async () => {
    const { a, b } = pair();
    await write('m.run1.json', a);
    await write('m.run2.json', b);
    const bFile = await write('b.json', b);
    const { code, output } = await runCommand(compareCommand, [path.join(dir(), 'm.json'), bFile, '--json', '--resamples', '500']);
    assert.equal(code, 0, output);
    const result = JSON.parse(output) as { a: { runs: number; files: string[]; runSd: number }; paired: { difference: number; better: number } };
    assert.equal(result.a.runs, 2);
    assert.equal(result.a.files.length, 2);
    assert.ok(result.a.runSd > 0);
    assert.ok(Math.abs(result.paired.difference - 0.1875 / 2) < 1e-9);
    assert.equal(result.paired.better, 45);
  });

  it('reports instances only one side scored, including an id like __proto__', async () => {
    const { code, output } = await runCommand(compareCommand, [
      await write('a.json', { '0': [3, 3], '1': [4, 4], '7': [null, null], ['__proto__']: [2, 2] }),
      await write('b.json', { '0': [4, 4], '1': [4, 4], '5': [1, 1] }),
      '--resamples',
      '200',
    ]);
    assert.equal(code, 0, output);
    assert.match(output, /missing: in a 1 \(5\); in b 1 \(__proto__\)/);
    assert.match(output, /2 paired instances/);
  });

  it('--fail-if-worse gates on the upper bound, not the point estimate', async () => {
    const { a, b } = pair();
    const worse = ['--resamples', '1000', await write('a.json', b), await write('b.json', a)];
    assert.equal((await runCommand(compareCommand, [...worse, '--fail-if-worse', '0.05'])).code, 1);
    // The drop is about 0.19 with an upper bound about -0.14: a tolerance of 0.25 lets it pass.
    assert.equal((await runCommand(compareCommand, [...worse, '--fail-if-worse', '0.25'])).code, 0);
    assert.equal((await runCommand(compareCommand, [worse[2] ?? '', worse[2] ?? '', '--fail-if-worse', '0'])).code, 0);
  });

  it('says what to pass when a file is missing', async () => {
    await assert.rejects(runCommand(compareCommand, [path.join(dir(), 'nope.json'), path.join(dir(), 'nope.json')]), /nope\.json does not exist, nor do per-run files nope\.run1\.json/);
  });

  it('names the instance and field of a malformed evaluation file', async () => {
    const bad = path.join(dir(), 'bad.json');
    await writeFile(bad, JSON.stringify({ '0': { score: [3, 4] }, '12': { score: [3, 7] } }));
    await assert.rejects(runCommand(compareCommand, [bad, bad]), /bad\.json is not an evaluation file at "12\.score\.1": .*5/);
    await writeFile(bad, '{"0": {"score": [3, 4]');
    await assert.rejects(runCommand(compareCommand, [bad, bad]), /bad\.json is not valid JSON/);
  });
});
