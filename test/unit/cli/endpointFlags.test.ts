import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CliUsageError } from '../../../src/cli/command';
import { evaluateCommand } from '../../../src/cli/commands/evaluate';
import { httpError, unreachableError } from '../../../src/core/endpoints/endpointError';
import type { JudgeServer } from '../../support/judgeServer';
import { startJudgeServer } from '../../support/judgeServer';
import { closedPort } from '../../support/closedPort';
import { useTempDir } from '../../support/tempDir';
import { runCommand } from './runCommand';

/** Runs `janus evaluate` in this process; returns its exit code and everything it printed. */
function evaluate(args: readonly string[]): Promise<{ code: number; output: string }> {
  return runCommand(evaluateCommand, args);
}

describe('CLI endpoint errors name the flags, not the editor settings', () => {
  const dir = useTempDir('janus-cli-flags-');
  let server: JudgeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function files(name: string): Promise<string[]> {
    const bench = path.join(dir(), `${name}.bench.json`);
    const rubric = { criteria: 'c', score_descriptions: { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' } };
    await writeFile(bench, JSON.stringify([{ id: 'a', index: 0, source: 's', system: 'sys', prompt: 'p', reference_answer: 'r', rubrics: [rubric] }]));
    const responses = path.join(dir(), `${name}.responses.json`);
    await writeFile(responses, JSON.stringify({ a: { response: 'an answer' } }));
    return ['--bench', bench, '--responses', responses, '--out', path.join(dir(), name, 'eval.json'), '--no-cache'];
  }

  it('a model the judge does not serve: fix --judge-model', async () => {
    server = await startJudgeServer({ plan: () => ({ kind: 'status', status: 404, message: 'The model `nope` does not exist' }) });
    const { code, output } = await evaluate([...(await files('model')), '--judge', server.baseUrl, '--judge-model', 'nope']);
    assert.equal(code, 1);
    assert.match(output, /stopped: .*does not serve model "nope".* Fix --judge-model \(without --judge-model the first model the server lists is used\)/);
    assert.doesNotMatch(output, /janus\.judge|Janus: /);
  });

  it('a judge that refuses the connection: fix --judge', async function () {
    this.timeout(15_000); // the client retries a refused connection with backoff (about 2.5 s)
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const { code, output } = await evaluate([...(await files('refused')), '--judge', url, '--judge-model', 'm', '--max-attempts', '1']);
    assert.equal(code, 1);
    assert.match(output, /refused the connection\. Start the local engine or fix --judge\./);
    assert.doesNotMatch(output, /janus\.judge/);
  });

  it('a rejected key: set JANUS_API_KEY, not a command of the editor', async () => {
    server = await startJudgeServer({ plan: () => ({ kind: 'status', status: 401, message: 'Incorrect API key provided: sk-abc***' }) });
    const { output } = await evaluate([...(await files('key')), '--judge', server.baseUrl, '--judge-model', 'm']);
    assert.match(output, /rejected the API key \(401\)\. Save the right key for http:\/\/127\.0\.0\.1:\d+ in JANUS_API_KEY \(or OPENAI_API_KEY\)\./);
    assert.doesNotMatch(output, /Set API Key/);
  });

  it('a bad --judge value is a usage error naming --judge', async () => {
    await assert.rejects(evaluate([...(await files('usage')), '--judge', 'ftp://example.com/v1']), (error: unknown) => {
      assert.ok(error instanceof CliUsageError);
      assert.match(error.message, /^bad endpoint settings: --judge: "ftp:\/\/example\.com\/v1" must start with http:\/\/ or https:\/\//);
      return true;
    });
  });

  it('without names from the host, messages still name the editor settings', () => {
    const ctx = { role: 'judge' as const, baseUrl: 'http://127.0.0.1:9/v1', model: 'x', timeoutMs: 1, stallTimeoutMs: 1 };
    assert.match(httpError(ctx, 404, 'model x not found', undefined).message, /Fix janus\.judge\.model \("Janus: Check Endpoints" lists the served models\)/);
    assert.match(unreachableError(ctx, Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).message, /fix janus\.judge\.baseUrl\./);
  });
});
