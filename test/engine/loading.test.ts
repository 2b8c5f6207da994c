// Before the model has loaded, the engine already listens: health says 503 and model routes ask
// the client to retry, so a caller can poll instead of guessing.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { EngineServer } from '../../src/engine/server';

describe('local engine: while the model loads', () => {
  let server: EngineServer;
  let url: string;

  before(async () => {
    server = new EngineServer({ modelId: 'janus-7b', log: () => undefined });
    await new Promise<void>((resolve) => server.http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.http.address() as AddressInfo).port}`;
  });
  after(() => {
    server.http.close();
  });

  it('answers /health with 503 and completions with a 503 that says to retry', async () => {
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 503);
    assert.equal(((await health.json()) as { status: string }).status, 'loading');
    const completion = await fetch(`${url}/v1/completions`, { method: 'POST', body: JSON.stringify({ prompt: 'x' }) });
    assert.equal(completion.status, 503);
    const body = (await completion.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'loading_model');
    assert.match(body.error.message, /Retry/);
  });

  it('still lists its model and answers unknown routes with 404', async () => {
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ['janus-7b']);
    assert.equal((await fetch(`${url}/nope`)).status, 404);
  });
});
