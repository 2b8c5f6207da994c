// `janus evaluate` as a separate process against a judge that counts deliveries: SIGKILLs, two runs
// on one output, servers that ignore `stream: true`. No engine needed: the responses are written here.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliPath, runCli } from '../support/engineProcess';
import type { JudgeServer, JudgeServerOptions } from '../support/judgeServer';
import { startJudgeServer } from '../support/judgeServer';
import { useTempDir } from '../support/tempDir';

const rubric = (criteria: string): object => ({ criteria, score_descriptions: { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' } });

/** A bench of `count` instances with two rubric items each, and a response for every one. */
export function writeBench(dir: string, count: number, ids: (i: number) => string = String): { bench: string; responses: string; items: number } {
  const instances = Array.from({ length: count }, (_, i) => ({ id: ids(i), source: 's', system: 'sys', prompt: `question ${i}`, reference_answer: `ref ${i}`, rubrics: [rubric(`first ${i}`), rubric(`second ${i}`)] }));
  const bench = path.join(dir, 'bench.json');
  const responses = path.join(dir, 'responses.json');
  writeFileSync(bench, JSON.stringify(instances));
  writeFileSync(responses, JSON.stringify(Object.fromEntries(instances.map((b) => [b.id, { response: `answer ${b.prompt}` }]))));
  return { bench, responses, items: count * 2 };
}

describe('janus evaluate hardening', function () {
  this.timeout(180_000);
  const dir = useTempDir('janus-cli-hard-');
  const servers: JudgeServer[] = [];
  after(async () => Promise.all(servers.map((s) => s.close())));
  const judge = async (options: JudgeServerOptions = {}): Promise<JudgeServer> => {
    const server = await startJudgeServer(options);
    servers.push(server);
    return server;
  };

  it('after SIGKILLs pays again at most the calls in flight (the checkpoint line is written before a call counts as done)', async () => {
    const { bench, responses, items } = writeBench(dir(), 150);
    const server = await judge({ latencyMs: 4, jitterMs: 4 });
    const out = path.join(dir(), 'killed.json');
    const concurrency = 4;
    const args = ['evaluate', '--bench', bench, '--responses', responses, '--out', out, '--judge', server.baseUrl, '--no-cache', '--concurrency', String(concurrency)];
    const kills = 8;
    let repaid = 0;
    const perKill: number[] = [];
    for (let k = 0; k < kills; k++) {
      const deliveredBefore = new Set(server.completed);
      const requestsBefore = server.requests.length;
      const child = spawn(process.execPath, [cliPath, ...args], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const target = server.completed.length + 12;
      while (server.completed.length < target) await new Promise((resolve) => setTimeout(resolve, 2));
      child.kill('SIGKILL');
      await exited;
      // Calls of this session whose reply had been delivered in an earlier session: paid twice.
      const again = server.requests.slice(requestsBefore).filter((r) => deliveredBefore.has(r.user)).length;
      perKill.push(again);
      repaid += again;
    }
    const before = server.requests.length;
    const last = await runCli(args);
    assert.equal(last.code, 0, last.stderr);
    const deliveredOnce = new Set(server.completed.slice(0, before));
    const finalRepaid = server.requests.slice(before).filter((r) => deliveredOnce.has(r.user)).length;
    perKill.push(finalRepaid);
    repaid += finalRepaid;
    console.log(`      ${kills} SIGKILLs at concurrency ${concurrency}: ${repaid} delivered replies paid again (per restart: ${perKill.join(', ')}); ${server.requests.length} calls for ${items} items`);
    for (const n of perKill) assert.ok(n <= concurrency, `paid again ${n} > ${concurrency} calls in flight (${perKill.join(', ')})`);
    assert.match(last.stdout, new RegExp(`scored ${items} · unscored 0 · not judged 0`));
    assert.ok(readFileSync(out, 'utf8').length > 0);
  });

  it('refuses an output folder it may not write (EACCES) before making any call, naming the path', async () => {
    const root = path.join(dir(), 'perm');
    mkdirSync(path.join(root, 'locked'), { recursive: true });
    chmodSync(dir(), 0o755);
    chmodSync(root, 0o755);
    const { bench, responses } = writeBench(root, 3);
    const server = await judge();
    // Run as an unprivileged user (the tests run as root, which may write anywhere), from a copy of
    // the bundle that user can read: the checkout itself may sit in a folder only root can enter.
    const cli = path.join(root, 'cli.js');
    copyFileSync(cliPath, cli);
    chmodSync(cli, 0o644);
    // Async, so the judge in this process can still answer if a regression makes calls.
    const proc = spawn(process.execPath, [cli, 'evaluate', '--bench', bench, '--responses', responses, '--out', path.join(root, 'locked', 'e.json'), '--judge', server.baseUrl, '--no-cache'], { uid: 65534, gid: 65534, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const status = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    const child = { status, stderr };
    assert.equal(child.status, 1, child.stderr);
    assert.match(child.stderr, /Cannot write .*locked.*: no permission to write there \(EACCES\)/);
    assert.equal(server.requests.length, 0, 'no call was paid');
  });

  it('judges through a server that ignores stream: true (one JSON body): judge calls are sent non-streamed, one call per item', async () => {
    const root = path.join(dir(), 'json');
    mkdirSync(root);
    const { bench, responses, items } = writeBench(root, 5);
    const server = await judge({ plan: () => ({ kind: 'json' }) });
    const run = await runCli(['evaluate', '--bench', bench, '--responses', responses, '--out', path.join(root, 'e.json'), '--judge', server.baseUrl, '--no-cache']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`scored ${items} · unscored 0 · not judged 0`));
    assert.equal(server.requests.length, items, 'one call per item');
    assert.ok(server.requests.every((r) => r.stream === false), 'judge calls ask for no stream');
  });

  it('fails items answered with an HTML page (named, not recorded), and a rerun judges exactly those', async () => {
    const root = path.join(dir(), 'html');
    mkdirSync(root);
    const { bench, responses, items } = writeBench(root, 5);
    let healthy = false;
    const server = await judge({ plan: (r) => (healthy || !r.user.includes('question 2') ? { kind: 'score' } : { kind: 'html' }) });
    const args = ['evaluate', '--bench', bench, '--responses', responses, '--out', path.join(root, 'e.json'), '--judge', server.baseUrl, '--no-cache'];
    const first = await runCli(args);
    assert.equal(first.code, 1);
    assert.match(first.stderr, /text\/html body that is neither an event stream nor a JSON completion/);
    assert.match(first.stdout, new RegExp(`scored ${items - 2} · unscored 0 · not judged 2`));
    assert.equal(server.requests.length, items, 'a page is not asked 5 times as if it were a reply without a score');
    healthy = true;
    const second = await runCli(args);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(server.requests.length, items + 2, 'the rerun makes exactly the two failed calls');
  });

  it('fails only the item whose reply is over --max-reply-chars; the job goes on and writes its files', async () => {
    const root = path.join(dir(), 'huge');
    mkdirSync(root);
    const { bench, responses, items } = writeBench(root, 4);
    const server = await judge({ plan: (r) => (r.user.includes('question 1') && r.user.includes('first 1') ? { kind: 'text', text: `[RESULT] 3 ${'z'.repeat(3_000_000)}` } : { kind: 'score' }) });
    const run = await runCli(['evaluate', '--bench', bench, '--responses', responses, '--out', path.join(root, 'e.json'), '--judge', server.baseUrl, '--max-reply-chars', '100000']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /longer than 100000 characters.*Raise --max-reply-chars/);
    assert.match(run.stdout, new RegExp(`scored ${items - 1} · unscored 0 · not judged 1`));
    assert.ok(readFileSync(path.join(root, 'e.summary.json'), 'utf8').length > 0);
  });

  it('lets only one of two runs on the same --out make calls; the other names the owner', async () => {
    const root = path.join(dir(), 'twice');
    mkdirSync(root);
    const { bench, responses, items } = writeBench(root, 20);
    const server = await judge({ latencyMs: 150 });
    const args = ['evaluate', '--bench', bench, '--responses', responses, '--out', path.join(root, 'e.json'), '--judge', server.baseUrl, '--no-cache', '--concurrency', '2'];
    const first = runCli(args);
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await runCli(args);
    const done = await first;
    console.log(`      two runs on one --out: ${server.requests.length} calls for ${items} items`);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /Another run is writing .*e\.json \(process \d+ on .*, started .*\)/);
    assert.equal(server.requests.length, items, 'each item paid once');
  });

  it('names the instances that have no response (first five and the count) instead of "run the same command again"', async () => {
    const root = path.join(dir(), 'missing');
    mkdirSync(root);
    const { bench, responses } = writeBench(root, 10, (i) => `item-${i}`);
    const all = JSON.parse(readFileSync(responses, 'utf8')) as Record<string, unknown>;
    writeFileSync(responses, JSON.stringify({ 'item-0': all['item-0'], 'item-5': all['item-5'], 'item-9': all['item-9'] }));
    const server = await judge();
    const run = await runCli(['evaluate', '--bench', bench, '--responses', responses, '--out', path.join(root, 'e.json'), '--judge', server.baseUrl, '--no-cache']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /7 instance\(s\) have no response in .*responses\.json: "item-1", "item-2", "item-3", "item-4", "item-6" and 2 more\. Their 14 rubric item\(s\) cannot be judged: generate the missing responses/);
    assert.doesNotMatch(run.stderr, /run the same command again/);
    assert.equal(server.requests.length, 6);
  });
});
