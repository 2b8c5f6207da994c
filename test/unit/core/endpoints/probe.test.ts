import assert from 'node:assert/strict';
import { describeProbe, endpointState, probeEndpoint, probeRewardModel, serverRoot } from '../../../../src/core/endpoints/probe';
import type { ReplyServer } from '../support/replyServer';
import { jsonReply, startReplyServer } from '../support/replyServer';
import { aProfile } from '../support/builders';

/** Replies like llama.cpp's llama-server with 2 slots and `n` support. */
function llamaServerLike(state: { loading: boolean }): Parameters<typeof startReplyServer>[0] {
  return (req, res) => {
    if (req.url === '/health') return state.loading ? jsonReply(res, 503, { error: { code: 503, message: 'Loading model' } }) : jsonReply(res, 200, { status: 'ok' });
    if (req.url === '/v1/models') return jsonReply(res, 200, { object: 'list', data: [{ id: 'janus-7b.Q4_K_M.gguf', object: 'model' }] });
    if (req.url === '/props') return jsonReply(res, 200, { total_slots: 2 });
    if (req.url === '/v1/completions') {
      const n = (req.body as { n?: number }).n ?? 1;
      return jsonReply(res, 200, { choices: Array.from({ length: n }, (_, index) => ({ index, text: 'a' })) });
    }
    return jsonReply(res, 404, { error: { message: 'not found' } });
  };
}

describe('probeEndpoint', () => {
  let server: ReplyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('learns health, models, slots and n > 1 from a llama.cpp-like server', async () => {
    server = await startReplyServer(llamaServerLike({ loading: false }));
    const profile = aProfile({ baseUrl: server.baseUrl, model: 'janus-7b.Q4_K_M.gguf' });
    const result = await probeEndpoint(profile, { testN: true });
    assert.equal(result.health.state, 'ok');
    assert.deepEqual(result.models.ids, ['janus-7b.Q4_K_M.gguf']);
    assert.equal(result.models.configuredModelFound, true);
    assert.equal(result.slots, 2);
    assert.equal(result.parallelN, true);
    assert.equal(endpointState(result, false), 'ready');
    const n2 = server.requests.find((r) => r.url === '/v1/completions');
    assert.deepEqual(n2?.body, { model: 'janus-7b.Q4_K_M.gguf', prompt: '[INST] Hi [/INST] ', max_tokens: 1, n: 2 });
  });

  it('reads what a Janus engine has loaded from /props: its reward model, or none; llama-server says nothing', async () => {
    let rewardModel: unknown = { name: 'janus-rm-7b', hidden_size: 4096, normalized: true, max_length: 2048 };
    const llama = llamaServerLike({ loading: false });
    server = await startReplyServer((req, res) => (req.url === '/props' ? jsonReply(res, 200, { total_slots: 2, reward_model: rewardModel }) : llama(req, res)));
    const profile = aProfile({ baseUrl: server.baseUrl, model: '' });
    const loaded = await probeEndpoint(profile);
    assert.deepEqual(loaded.rewardModel, { name: 'janus-rm-7b', hiddenSize: 4096, normalized: true, maxLength: 2048 });
    assert.ok(describeProbe(loaded, profile, false).includes('  reward model: janus-rm-7b (hidden 4096, normalised, max_length 2048)'));
    assert.deepEqual(await probeRewardModel(server.baseUrl), loaded.rewardModel);
    rewardModel = null;
    const none = await probeEndpoint(profile);
    assert.equal(none.rewardModel, null);
    assert.ok(describeProbe(none, profile, false).includes('  reward model: none loaded'));
    await server.close();
    server = await startReplyServer(llamaServerLike({ loading: false }));
    const plain = await probeEndpoint(aProfile({ baseUrl: server.baseUrl, model: '' }));
    assert.equal(plain.rewardModel, undefined);
    assert.ok(!describeProbe(plain, profile, false).some((line) => line.includes('reward model')));
  });

  it('reports loading while /health answers 503, and sends no test completion', async () => {
    server = await startReplyServer(llamaServerLike({ loading: true }));
    const result = await probeEndpoint(aProfile({ baseUrl: server.baseUrl, model: '' }), { testN: true });
    assert.equal(endpointState(result, false), 'loading');
    assert.equal(result.parallelN, undefined);
    assert.ok(!server.requests.some((r) => r.url === '/v1/completions'));
  });

  it('flags a configured model the server does not list', async () => {
    server = await startReplyServer(llamaServerLike({ loading: false }));
    const profile = aProfile({ baseUrl: server.baseUrl, model: 'other' });
    const result = await probeEndpoint(profile);
    assert.equal(endpointState(result, false), 'modelMissing');
    assert.ok(describeProbe(result, profile, false).some((l) => l.includes('fix janus.generator.model')));
  });

  it('says "no key" when the models list needs authorisation', async () => {
    server = await startReplyServer((_req, res) => jsonReply(res, 401, { error: { message: 'no key' } }));
    const result = await probeEndpoint(aProfile({ baseUrl: server.baseUrl }));
    assert.equal(endpointState(result, false), 'noKey');
    assert.equal(endpointState(result, true), 'error');
  });

  it('reports an unreachable server quickly', async () => {
    const profile = aProfile({ baseUrl: 'http://127.0.0.1:9/v1' });
    const result = await probeEndpoint(profile, { timeoutMs: 1000 });
    assert.equal(endpointState(result, false), 'unreachable');
    assert.ok(describeProbe(result, profile, false).some((l) => l.includes('janus.generator.baseUrl')));
  });

  it('finds the server root under /v1', () => {
    assert.equal(serverRoot('http://h:1/v1/'), 'http://h:1');
    assert.equal(serverRoot('http://h:1/api/v1'), 'http://h:1/api');
    assert.equal(serverRoot('http://h:1'), 'http://h:1');
  });
});
