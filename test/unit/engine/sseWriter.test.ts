// The engine's SSE writer over a real HTTP connection: every delta arrives as its own chunk, in
// order per choice, in far fewer socket writes than chunks, the first one at once, and every chunk
// is byte for byte what JSON.stringify of OpenAI's chunk object gives.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChoiceStreamWriter } from '../../../src/engine/sseWriter';
import type { StreamKind } from '../../../src/engine/sseWriter';

interface Received {
  /** The JSON text of every `data:` event but [DONE], as sent. */
  readonly events: string[];
  /** When (ms after the request) each socket read arrived, with the events it held. */
  readonly reads: { readonly at: number; readonly events: number }[];
  /** How many times the server wrote to the response before ending it. */
  readonly writes: number;
  readonly done: boolean;
}

/** Serves one streamed answer written by `script`, and reads it back as a client does. */
async function serve(kind: StreamKind, script: (writer: ChoiceStreamWriter) => Promise<void>, intervalMs = 20): Promise<Received> {
  let writes = 0;
  const server = http.createServer((_req, res) => {
    const write = res.write.bind(res) as (chunk: string) => boolean;
    res.write = ((chunk: string) => {
      writes++;
      return write(chunk);
    }) as typeof res.write;
    const writer = new ChoiceStreamWriter(res, { kind, id: 'cmpl-1', created: 1700000000, model: 'tiny "test"' }, intervalMs);
    writer.open();
    void script(writer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const reads: { at: number; events: number }[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const piece = decoder.decode(value, { stream: true });
      reads.push({ at: performance.now() - started, events: piece.split('\n\n').length - 1 });
      text += piece;
    }
    const lines = text.split('\n\n').filter((l) => l !== '');
    for (const line of lines) assert.ok(line.startsWith('data: '), `an SSE data line: ${line}`);
    const payloads = lines.map((l) => l.slice('data: '.length));
    return { events: payloads.filter((p) => p !== '[DONE]'), reads, writes, done: payloads.at(-1) === '[DONE]' };
  } finally {
    server.close();
  }
}

const usage = { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Per choice index: the text of each of its chunks in order, and where its finish chunk came. */
function demultiplex(events: readonly string[], kind: StreamKind): { pieces: Map<number, string[]>; finishedAt: Map<number, number>; textAt: Map<number, number> } {
  const pieces = new Map<number, string[]>();
  const finishedAt = new Map<number, number>();
  const textAt = new Map<number, number>();
  events.forEach((event, position) => {
    const chunk = JSON.parse(event) as { choices: { index: number; text?: string; delta?: { content?: string }; finish_reason: string | null }[] };
    assert.equal(JSON.stringify(JSON.parse(event)), event, 'the chunk is exactly JSON.stringify of its object');
    for (const choice of chunk.choices) {
      const text = kind === 'chat' ? (choice.delta?.content ?? '') : (choice.text ?? '');
      assert.ok(!finishedAt.has(choice.index), `choice ${choice.index} sends nothing after its finish chunk`);
      if (text !== '') {
        textAt.set(choice.index, position);
        pieces.set(choice.index, [...(pieces.get(choice.index) ?? []), text]);
      }
      if (choice.finish_reason !== null) finishedAt.set(choice.index, position);
    }
  });
  return { pieces, finishedAt, textAt };
}

describe('ChoiceStreamWriter', () => {
  it('keeps every delta of every choice as its own chunk, in order, in few socket writes', async () => {
    const expected = new Map<number, string[]>();
    const received = await serve('completion', async (writer) => {
      // Four choices interleaved as a batch decodes them, several tokens per 20 ms window.
      for (let step = 0; step < 40; step++) {
        for (let index = 0; index < 4; index++) {
          if (index === 2 && step > 25) continue; // choice 2 stopped early
          const delta = `${index}:${step}${step % 7 === 0 ? ' "quoted"\n\u00e9' : ' '}`;
          expected.set(index, [...(expected.get(index) ?? []), delta]);
          writer.delta(index, delta);
        }
        if (step === 25) writer.done(2, 'stop');
        if (step % 5 === 4) await sleep(3);
      }
      for (const index of [0, 1, 3]) writer.done(index, 'length');
      writer.end(usage);
    });
    assert.ok(received.done, 'the stream ends with data: [DONE]');
    const { pieces, finishedAt, textAt } = demultiplex(received.events.slice(0, -1), 'completion');
    assert.deepEqual([...finishedAt.keys()].sort(), [0, 1, 2, 3], 'every choice has its finish chunk');
    for (const index of [0, 1, 2, 3]) assert.deepEqual(pieces.get(index), expected.get(index), `choice ${index}: one chunk per delta, in order`);
    assert.ok((finishedAt.get(2) ?? -1) > (textAt.get(2) ?? Infinity), 'choice 2 finishes after its last text');
    assert.equal(received.events.length, 146 + 4 + 1, 'every delta, finish and the usage chunk');
    // One write per 20 ms window at most (plus the first), not one per chunk.
    assert.ok(received.writes < received.events.length / 4, `${received.writes} writes for ${received.events.length} chunks`);
    const last = JSON.parse(received.events.at(-1)!) as { choices: unknown[]; usage: unknown };
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, usage);
  });

  it('sends the first delta at once, alone, and the next ones together after at most the interval', async () => {
    const received = await serve(
      'completion',
      async (writer) => {
        writer.delta(0, 'first');
        writer.delta(0, ' second');
        writer.delta(0, ' third');
        await sleep(300);
        writer.done(0, 'length');
        writer.end(usage);
      },
      50,
    );
    const texts = received.events.slice(0, 3).map((e) => (JSON.parse(e) as { choices: { text: string }[] }).choices[0]?.text);
    assert.deepEqual(texts, ['first', ' second', ' third']);
    const reads = received.reads.filter((r) => r.events > 0);
    assert.equal(reads[0]?.events, 1, `the first delta is not held for the window: ${JSON.stringify(received.reads)}`);
    assert.equal(reads[1]?.events, 2, 'the deltas of one window leave in one write');
    // The held chunks leave on their timer (~50 ms), long before the 300 ms the generation still takes.
    assert.ok(reads[1]!.at - reads[0]!.at < 250, `held chunks sent by their timer, ${(reads[1]!.at - reads[0]!.at).toFixed(0)} ms after the first`);
  });

  it('writes chat chunks in OpenAI shape: role on the first chunk of each choice, {} with the finish', async () => {
    const received = await serve('chat', async (writer) => {
      writer.delta(1, 'b');
      writer.delta(0, 'a');
      writer.delta(0, 'aa');
      await sleep(30);
      writer.delta(1, 'bb');
      writer.done(1, 'stop');
      writer.done(0, 'length');
      writer.end(usage);
    });
    const chunks = received.events.slice(0, -1).map((e) => JSON.parse(e) as { object: string; model: string; choices: { index: number; delta: Record<string, string>; finish_reason: string | null }[] });
    for (const chunk of chunks) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.equal(chunk.model, 'tiny "test"');
      assert.equal(chunk.choices.length, 1);
    }
    const byIndex = (i: number): { delta: Record<string, string>; finish_reason: string | null }[] => chunks.flatMap((c) => c.choices).filter((c) => c.index === i);
    for (const index of [0, 1]) {
      const mine = byIndex(index);
      assert.equal(mine[0]?.delta.role, 'assistant', `choice ${index}: role on its first chunk`);
      assert.ok(mine.slice(1).every((c) => c.delta.role === undefined), `choice ${index}: role once`);
      assert.deepEqual(mine.at(-1)?.delta, {}, `choice ${index}: the finish chunk has an empty delta`);
    }
    assert.equal(byIndex(0).map((c) => c.delta.content ?? '').join(''), 'aaa');
    assert.equal(byIndex(1).map((c) => c.delta.content ?? '').join(''), 'bbb');
    assert.deepEqual(byIndex(1).map((c) => c.finish_reason), [null, null, 'stop']);
  });
});
