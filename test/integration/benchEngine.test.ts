// The bench jobs on the real local engine serving the tiny model: Generate Responses for Bench
// writes a response per instance, and with the same engine as the judge (its replies are not
// judgements) Evaluate records every rubric as unscored, keeps the replies, and the lens says so.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluateBenchResult } from '../../src/extension/commands/evaluateBench';
import type { GenerateBenchResult } from '../../src/extension/commands/generateBenchResponses';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import { janus, resetUserSettings, setUserSetting } from './support/janusHost';

const repo = path.resolve(__dirname, '..', '..');
const touched = ['reward.baseUrl', 'generator.baseUrl', 'generator.maxTokens', 'generator.seed', 'judge.baseUrl', 'judge.format', 'judge.maxTokens', 'jobs.concurrency'];

describe('bench jobs on the real local engine', function () {
  this.timeout(180_000);
  let engine: RunningEngine | undefined;
  let bench: vscode.Uri;
  let responsesFile = '';

  before(async () => {
    await janus();
    const model = await getTinyModel();
    engine = await startEngine(['--model', model.modelPath, '--reward-model', model.rewardModelPath, '--parallel', '4', '--context', '1024']);
    await setUserSetting('reward.baseUrl', engine.url);
    await setUserSetting('generator.baseUrl', `${engine.url}/v1`);
    await setUserSetting('generator.maxTokens', 16);
    await setUserSetting('generator.seed', 3);
    await setUserSetting('judge.baseUrl', `${engine.url}/v1`);
    await setUserSetting('judge.format', 'mistral-instruct');
    await setUserSetting('judge.maxTokens', 12);
    await setUserSetting('jobs.concurrency', 4);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    bench = vscode.Uri.joinPath(folder.uri, 'engine', 'engine.bench.json');
    mkdirSync(path.dirname(bench.fsPath), { recursive: true });
    writeFileSync(bench.fsPath, readFileSync(path.join(repo, 'test', 'fixtures', 'bench', 'small.bench.json'), 'utf8'));
  });

  after(async () => {
    await resetUserSettings(touched);
    await engine?.stop();
  });

  it('Generate Responses for Bench writes <model>_responses.json with a response per instance', async () => {
    await vscode.window.showTextDocument(bench);
    const result = await vscode.commands.executeCommand<GenerateBenchResult>('janus.generateBenchResponses', { uri: bench.toString(), n: 1, resume: false });
    assert.ok(result);
    assert.equal(result.cancelled, false);
    assert.equal(result.generated, 4);
    assert.match(path.basename(result.output), /_responses\.json$/);
    const file = JSON.parse(readFileSync(result.output, 'utf8')) as Record<string, { response: string }>;
    assert.deepEqual(Object.keys(file).sort(), ['0', '1', '3', 'budget-1']);
    assert.ok(Object.values(file).every((r) => typeof r.response === 'string' && r.response.length > 0));
    responsesFile = result.output;
  });

  it('a judge that never gives a score leaves every rubric unscored with its reply, and the lens says unscored', async () => {
    const result = await vscode.commands.executeCommand<EvaluateBenchResult>('janus.evaluateBench', { uri: bench.toString(), responses: responsesFile, ids: ['0'], resume: false });
    assert.ok(result);
    assert.equal(result.cancelled, false);
    assert.equal(result.scored, 0);
    assert.equal(result.unscored, 4);
    const file = JSON.parse(readFileSync(result.output, 'utf8')) as Record<string, { score: (number | null)[]; feedback: string[] }>;
    assert.deepEqual(file['0']?.score, [null, null, null, null]);
    assert.ok(file['0']?.feedback.every((f) => f.length > 0), 'the replies are kept as feedback');
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', bench)) ?? [];
    const title = lenses.find((l) => l.range.start.line === 1 && l.command?.command === 'janus.showEvaluationFeedback')?.command?.title;
    assert.equal(title, 'unscored · style unscored · knowledge unscored · informativeness unscored · harmlessness unscored');
  });

  it('Best of N keeps, per instance, a response with the reward the engine\'s value head gave it', async () => {
    const result = await vscode.commands.executeCommand<GenerateBenchResult>('janus.generateBenchResponses', { uri: bench.toString(), n: 2, resume: false });
    assert.ok(result);
    assert.equal(result.generated, 4);
    assert.match(path.basename(result.output), /_best2_responses\.json$/);
    const file = JSON.parse(readFileSync(result.output, 'utf8')) as Record<string, { response: string; reward?: number }>;
    assert.ok(Object.values(file).every((r) => typeof r.reward === 'number' && Number.isFinite(r.reward)), JSON.stringify(file));
    const [id, entry] = Object.entries(file)[0] ?? [];
    assert.ok(id !== undefined && entry !== undefined && engine);
    const instance = (JSON.parse(readFileSync(bench.fsPath, 'utf8')) as { system: string; prompt: string }[])[Number(id)];
    assert.ok(instance);
    // The kept reward is the engine's own for that text (the Janus-RM input format).
    const query = `<s>[INST] ${instance.system}\n${instance.prompt} [/INST] ${entry.response} </s>`;
    const direct = (await (await fetch(`${engine.url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: [query] }) })).json()) as { rewards: number[] };
    assert.ok(Math.abs((direct.rewards[0] ?? NaN) - (entry.reward ?? NaN)) < 1e-3, `kept ${entry.reward}, engine ${direct.rewards[0]}`);
  });
});
