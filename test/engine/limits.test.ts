// The engine stays responsive and bounded under huge and slow requests: a prompt too long for the
// context is refused before it is tokenized (tokenizing is synchronous: a 15 MB prompt held the
// event loop, and /health, for 6 s), bodies have a size cap and a shared budget, and a request that
// never finishes arriving is cut off.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';

const MB = 1024 * 1024;

/** Resident memory of a process in MB (`ps` works on Linux and macOS alike). */
function rssMb(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
}

/** Polls /health back to back until `done` settles; resolves with the slowest answer in ms. */
async function slowestHealth(url: string, done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.finally(() => (finished = true));
  let slowest = 0;
  while (!finished) {
    const started = performance.now();
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    slowest = Math.max(slowest, performance.now() - started);
  }
  return slowest;
}

interface SlowUpload {
  /** The status line the engine answered with ('' if it only closed the connection). */
  readonly status: string;
  readonly sentMb: number;
  readonly ms: number;
}

/** Sends a chunked JSON body of `totalMb` in `chunkKb` pieces every `everyMs`, until done or cut off. */
function slowUpload(url: string, route: string, totalMb: number, chunkKb: number, everyMs: number): Promise<SlowUpload> {
  const { port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearInterval(timer);
      resolve({ status: answer.split('\r\n')[0] ?? '', sentMb: sent / MB, ms: performance.now() - started });
    };
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.write(`POST ${route} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const piece = 'a'.repeat(chunkKb * 1024);
    const open = route === '/get_reward' ? '{"query":["' : '{"prompt":"';
    socket.write(`${open.length.toString(16)}\r\n${open}\r\n`);
    timer = setInterval(() => {
      if (socket.destroyed || answer !== '') return;
      if (sent >= totalMb * MB) {
        socket.write(`3\r\n"]}\r\n0\r\n\r\n`);
        clearInterval(timer);
        return;
      }
      socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
      sent += piece.length;
    }, everyMs);
  });
}

describe('local engine: huge and slow requests', function () {
  this.timeout(120_000);
  let engine: RunningEngine;

  before(async () => {
    const tiny = await getTinyModel();
    // With a reward model, so /get_reward's body handling is what the uploads meet (without one it refuses at once).
    engine = await startEngine(['--model', tiny.modelPath, '--reward-model', tiny.rewardModelPath, '--parallel', '1', '--context', '512', '--request-timeout', '4', '--quiet']);
  });
  after(async () => {
    await engine.stop();
  });

  async function post(route: string, body: unknown): Promise<{ status: number; code: string; ms: number }> {
    // Serialised before the clock starts: the test's own work is not the engine's latency.
    const bytes = Buffer.from(JSON.stringify(body));
    const started = performance.now();
    const res = await fetch(`${engine.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
    const json = (await res.json()) as { error?: { code: string } };
    return { status: res.status, code: json.error?.code ?? '', ms: performance.now() - started };
  }

  it('refuses prompts too long for the context at once, and /health stays fast meanwhile', async () => {
    const huge = 'word '.repeat(3_000_000); // 15 MB
    const reply = post('/v1/completions', { prompt: huge, max_tokens: 4 });
    const slowest = await slowestHealth(engine.url, reply);
    const answer = await reply;
    assert.ok(answer.status === 413 || answer.status === 400, `status ${answer.status}`);
    // Under the body cap, but more characters than 512 tokens can hold: refused before tokenizing.
    const long = 'word '.repeat(150_000); // 750 KB
    const chat = post('/v1/chat/completions', { messages: [{ role: 'user', content: long }], max_tokens: 4 });
    const slowestChat = await slowestHealth(engine.url, chat);
    const chatAnswer = await chat;
    assert.equal(chatAnswer.status, 400);
    assert.equal(chatAnswer.code, 'context_length_exceeded');
    const completion = await post('/v1/completions', { prompt: long, max_tokens: 4 });
    assert.equal(completion.code, 'context_length_exceeded');
    console.log(`      15 MB prompt: ${answer.status} in ${Math.round(answer.ms)} ms, slowest /health ${Math.round(slowest)} ms; 750 KB chat: ${Math.round(chatAnswer.ms)} ms, slowest /health ${Math.round(slowestChat)} ms`);
    // Before the size check, the 15 MB prompt was tokenized first: /health waited 4-6 s.
    assert.ok(slowest < 1000 && slowestChat < 1000, `/health took ${Math.round(slowest)} / ${Math.round(slowestChat)} ms while huge prompts were refused`);
    // A prompt that fits is still served.
    const fits = await post('/v1/completions', { prompt: 'word '.repeat(50), max_tokens: 2 });
    assert.equal(fits.status, 200);
  });

  it('holds little memory for 20 slow 15 MB uploads and ends them all', async () => {
    const pid = engine.process.pid!;
    const baseline = rssMb(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 200);
    // 1 MB every 100 ms each: 15 MB in 1.5 s if the engine kept reading, 20 at once.
    const uploads = await Promise.all(Array.from({ length: 20 }, (_, i) => slowUpload(engine.url, i % 2 === 0 ? '/get_reward' : '/v1/completions', 15, 1024, 100)));
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(pid));
    const statuses = uploads.map((u) => u.status.replace(/^HTTP\/1\.1 /, ''));
    console.log(`      RSS ${Math.round(baseline)} -> peak ${Math.round(peak)} MB; answers: ${[...new Set(statuses)].join(', ')}; longest ${Math.round(Math.max(...uploads.map((u) => u.ms)))} ms`);
    // Before the caps, the engine held every body whole: 20 x 15 MB.
    assert.ok(peak - baseline < 160, `the engine grew by ${Math.round(peak - baseline)} MB`);
    // Refused (over the route's cap, or over the budget all uploads share), or cut off at the request timeout.
    for (const status of statuses) assert.match(status, /^(413|503|408|$)/, 'each upload is refused or cut off, not held');
    assert.ok(uploads.every((u) => u.sentMb < 15), 'no upload was read to its end');
    assert.equal((await fetch(`${engine.url}/health`)).status, 200);
  });

  it('cuts off a request whose body never finishes arriving', async () => {
    // 1 KB every 500 ms: under every size cap, but it would take hours.
    const upload = await slowUpload(engine.url, '/v1/completions', 100, 1, 500);
    assert.match(upload.status, /^HTTP\/1\.1 408/);
    assert.ok(upload.ms < 8000, `cut off after ${Math.round(upload.ms)} ms (request timeout 4 s)`);
  });
});
