// The local engine over real HTTP, with the `openai` client: real llama.cpp inference on the tiny
// generated model (nonsense text, real tokens).
import assert from 'node:assert/strict';
import path from 'node:path';
import OpenAI from 'openai';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';

const JANUS_PROMPT = '[INST] You are a concise assistant.\nName three colours. [/INST] ';

describe('local engine: generation over HTTP', function () {
  this.timeout(120_000);
  let engine: RunningEngine;
  let client: OpenAI;
  let model: string;
  let modelFile: string;

  before(async () => {
    const tiny = await getTinyModel();
    modelFile = tiny.modelPath;
    engine = await startEngine(['--model', tiny.modelPath, '--parallel', '4', '--context', '512', '--quiet']);
    client = new OpenAI({ baseURL: `${engine.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const models = await client.models.list();
    model = models.data[0]?.id ?? '';
  });

  after(async () => {
    assert.equal(await engine.stop(), 0, 'the engine exits cleanly on SIGTERM');
  });

  it('reports health and lists its model', async () => {
    const health = await fetch(`${engine.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal(model, path.basename(modelFile, '.gguf'), 'the model id is the file name without .gguf');
    const props = (await (await fetch(`${engine.url}/props`)).json()) as { total_slots: number };
    assert.equal(props.total_slots, 4);
  });

  it('completes a raw Janus prompt, with usage that adds up', async () => {
    const reply = await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 12, seed: 7, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    const choice = reply.choices[0];
    assert.ok(choice && choice.text.length > 0);
    assert.equal(choice.finish_reason, 'length');
    assert.equal(reply.usage?.completion_tokens, 12);
    assert.ok((reply.usage?.prompt_tokens ?? 0) > 5);
    assert.equal(reply.usage?.total_tokens, (reply.usage?.prompt_tokens ?? 0) + 12);
  });

  it('repeats itself for the same seed and differs for another', async () => {
    const ask = async (seed: number): Promise<string> =>
      (await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 16, seed, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming)).choices[0]?.text ?? '';
    const a = await ask(11);
    assert.equal(await ask(11), a);
    assert.notEqual(await ask(12), a);
  });

  it('draws a fresh seed when none is given: unseeded choices and requests differ', async () => {
    const reply = await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 12, n: 4, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    assert.equal(new Set(reply.choices.map((c) => c.text)).size, 4, 'the four choices differ');
    const again = await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 12, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    const third = await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 12, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    assert.notEqual(again.choices[0]?.text, third.choices[0]?.text, 'two unseeded requests in the same second differ');
  });

  it('streams the same text it returns whole, ending with a usage chunk', async () => {
    const whole = await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 20, seed: 3, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    const stream = await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 20, seed: 3, ignore_eos: true, stream: true } as OpenAI.CompletionCreateParamsStreaming);
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      for (const c of chunk.choices) {
        text += c.text;
        if (c.finish_reason) finish = c.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    assert.ok(chunks > 3, 'text arrives in several chunks');
    assert.equal(text, whole.choices[0]?.text);
    assert.equal(finish, 'length');
    assert.equal(usage?.completion_tokens, 20);
  });

  it('returns n = 4 choices decoded together, demultiplexed by index when streamed', async () => {
    const reply = await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 10, n: 4, seed: 5, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    assert.deepEqual(reply.choices.map((c) => c.index), [0, 1, 2, 3]);
    assert.equal(new Set(reply.choices.map((c) => c.text)).size, 4, 'choices differ');
    assert.equal(reply.usage?.completion_tokens, 40);

    const stream = await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 10, n: 4, seed: 5, ignore_eos: true, stream: true } as OpenAI.CompletionCreateParamsStreaming);
    const texts = ['', '', '', ''];
    const finished = new Set<number>();
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        texts[c.index] += c.text;
        if (c.finish_reason) finished.add(c.index);
      }
    }
    assert.deepEqual(texts, reply.choices.map((c) => c.text));
    assert.equal(finished.size, 4);
  });

  it('coalesces streamed chunks without losing or reordering any choice\'s text', async () => {
    const body = { model, prompt: JANUS_PROMPT, max_tokens: 120, n: 4, seed: 17, ignore_eos: true };
    const whole = await client.completions.create(body as OpenAI.CompletionCreateParamsNonStreaming);
    const res = await fetch(`${engine.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
    const events = (await res.text()).split('\n\n').filter((e) => e !== '');
    assert.equal(events.at(-1), 'data: [DONE]');
    const texts = ['', '', '', ''];
    const finished = new Set<number>();
    for (const event of events.slice(0, -2)) {
      const json = event.slice('data: '.length);
      assert.equal(JSON.stringify(JSON.parse(json)), json, 'each chunk is exactly the JSON of its object');
      const chunk = JSON.parse(json) as OpenAI.Completion;
      assert.equal(chunk.choices.length, 1, 'one choice per chunk');
      for (const c of chunk.choices) {
        assert.ok(!finished.has(c.index), `choice ${c.index}: nothing after its finish chunk`);
        texts[c.index] += c.text;
        if (c.finish_reason) finished.add(c.index);
      }
    }
    assert.deepEqual(texts, whole.choices.map((c) => c.text), 'per choice, the chunks add up to the whole text in order');
    assert.equal(finished.size, 4);
    const usage = (JSON.parse(events.at(-2)!.slice('data: '.length)) as OpenAI.Completion).usage;
    assert.deepEqual(usage, whole.usage);
  });

  it('stops at a stop string without sending it', async () => {
    const full = (await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 24, seed: 9, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming)).choices[0]?.text ?? '';
    // A stop string taken from the middle of the seeded output: the repeat must end just before it.
    const stop = full.slice(Math.floor(full.length / 2), Math.floor(full.length / 2) + 3);
    assert.ok(stop.length === 3);
    const cut = await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 24, seed: 9, ignore_eos: true, stop } as OpenAI.CompletionCreateParamsNonStreaming);
    assert.equal(cut.choices[0]?.text, full.slice(0, full.indexOf(stop)));
    assert.equal(cut.choices[0]?.finish_reason, 'stop');
  });

  it('answers chat in the Janus format when the model has no chat template', async () => {
    const system = 'You are a concise assistant.';
    const user = 'Name three colours.';
    const chat = await client.chat.completions.create({ model, messages: [{ role: 'system', content: system }, { role: 'user', content: user }], max_tokens: 14, seed: 21, ignore_eos: true } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const raw = await client.completions.create({ model, prompt: `[INST] ${system}\n${user} [/INST] `, max_tokens: 14, seed: 21, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    assert.equal(chat.choices[0]?.message.content, raw.choices[0]?.text, 'chat renders exactly the Janus prompt');
    assert.equal(chat.usage?.prompt_tokens, raw.usage?.prompt_tokens);

    const stream = await client.chat.completions.create({ model, messages: [{ role: 'system', content: system }, { role: 'user', content: user }], max_tokens: 14, seed: 21, ignore_eos: true, stream: true } as OpenAI.ChatCompletionCreateParamsStreaming);
    let text = '';
    let role: string | undefined;
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        role ??= c.delta.role;
      }
    }
    assert.equal(role, 'assistant');
    assert.equal(text, chat.choices[0]?.message.content);
  });

  it('frees the slot of a client that disconnects mid-stream', async () => {
    const props = async (): Promise<{ idle_slots: number }> => (await (await fetch(`${engine.url}/props`)).json()) as { idle_slots: number };
    const controller = new AbortController();
    const stream = await client.completions.create(
      { model, prompt: JANUS_PROMPT, max_tokens: 400, n: 4, ignore_eos: true, stream: true } as OpenAI.CompletionCreateParamsStreaming,
      { signal: controller.signal },
    );
    let received = 0;
    try {
      for await (const chunk of stream) {
        received += chunk.choices.length;
        if (received >= 8) controller.abort();
      }
    } catch (error) {
      assert.ok(error instanceof Error && /abort/i.test(error.name + error.message));
    }
    // All four slots were taken by the aborted request; a new request can only be served once they are freed.
    const next = await client.completions.create({ model, prompt: JANUS_PROMPT, max_tokens: 4, n: 4, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    assert.equal(next.choices.length, 4);
    assert.equal((await props()).idle_slots, 4);
  });
});

describe('local engine: bad requests', function () {
  this.timeout(120_000);
  let engine: RunningEngine;

  before(async () => {
    const tiny = await getTinyModel();
    engine = await startEngine(['--model', tiny.modelPath, '--parallel', '2', '--context', '128', '--quiet']);
  });
  after(async () => {
    await engine.stop();
  });

  async function post(path: string, body: unknown): Promise<{ status: number; error: { message: string; type: string; code: string; param: string | null } }> {
    const res = await fetch(`${engine.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const json = (await res.json()) as { error: { message: string; type: string; code: string; param: string | null } };
    return { status: res.status, error: json.error };
  }

  it('names the field that is wrong', async () => {
    const bad = await post('/v1/completions', { prompt: 'x', max_tokens: -3 });
    assert.equal(bad.status, 400);
    assert.equal(bad.error.param, 'max_tokens');
    assert.match(bad.error.message, /max_tokens/);
    const temp = await post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }], temperature: 'hot' });
    assert.equal(temp.status, 400);
    assert.match(temp.error.message, /temperature/);
    const missing = await post('/v1/completions', { max_tokens: 3 });
    assert.equal(missing.status, 400);
    assert.match(missing.error.message, /prompt/);
  });

  it('rejects a body that is not JSON', async () => {
    const bad = await post('/v1/completions', '{"prompt": ');
    assert.equal(bad.status, 400);
    assert.equal(bad.error.code, 'invalid_json');
  });

  it('answers 404 for an unknown model or route', async () => {
    const model = await post('/v1/completions', { model: 'gpt-9', prompt: 'x' });
    assert.equal(model.status, 404);
    assert.equal(model.error.code, 'model_not_found');
    const route = await fetch(`${engine.url}/v1/embeddings`, { method: 'POST', body: '{}' });
    assert.equal(route.status, 404);
  });

  it('refuses n above the slot count and a prompt longer than the context', async () => {
    const many = await post('/v1/completions', { prompt: 'x', n: 3 });
    assert.equal(many.status, 400);
    assert.equal(many.error.param, 'n');
    const long = await post('/v1/completions', { prompt: 'word '.repeat(400) });
    assert.equal(long.status, 400);
    assert.equal(long.error.code, 'context_length_exceeded');
  });

  it('refuses reward requests when no reward model was given', async () => {
    const res = await post('/get_reward', { query: ['a'] });
    assert.equal(res.status, 400);
    assert.match(res.error.message, /--reward-model <rm.gguf>.*janus convert-rm/);
  });
});
