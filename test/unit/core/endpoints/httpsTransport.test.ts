// The generation transport over TLS: hosted judges and generators are HTTPS, and the transport is
// our own `node:https` request (sseRequest.ts), so it gets a real TLS server here. The certificate
// is a fresh self-signed one for 127.0.0.1 (openssl); a client process that trusts it through
// NODE_EXTRA_CA_CERTS (read at process start, hence a child process) streams the answer, and a
// client that does not trust it fails with an endpoint error instead of sending anything.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EndpointClient } from '../../../../src/core/endpoints/client';
import { EndpointError } from '../../../../src/core/endpoints/endpointError';
import { aProfile } from '../support/builders';
import { sseCompletion } from '../support/replyServer';

const root = path.resolve(__dirname, '../../../..');

interface Seen {
  readonly url: string | undefined;
  readonly authorization: string | undefined;
}

describe('generation transport over HTTPS', function () {
  this.timeout(60_000);
  let dir = '';
  let server: https.Server | undefined;
  let baseUrl = '';
  const seen: Seen[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'janus-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    server = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        seen.push({ url: req.url, authorization: req.headers.authorization });
        sseCompletion(res, ['Over', ' TLS', '.']);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams from a server whose certificate the process trusts, with the key in the header', async () => {
    const script = path.join(dir, 'client.ts');
    writeFileSync(
      script,
      [
        `import { EndpointClient } from ${JSON.stringify(path.join(root, 'src/core/endpoints/client'))};`,
        `import { aProfile } from ${JSON.stringify(path.join(root, 'test/unit/core/support/builders'))};`,
        'async function main(): Promise<void> {',
        `  const client = new EndpointClient(aProfile({ baseUrl: ${JSON.stringify(baseUrl)} }), { apiKey: 'sk-tls' });`,
        "  const events = [];",
        "  for await (const e of client.generateStream({ system: 'You are terse.', prompt: 'Say hi.' }, new AbortController().signal)) events.push(e);",
        '  process.stdout.write(JSON.stringify(events));',
        '}',
        'void main();',
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, err);
    const events = JSON.parse(out) as { type: string; text: string }[];
    assert.deepEqual(events.filter((e) => e.type === 'delta').map((e) => e.text), ['Over', ' TLS', '.']);
    assert.equal(events.at(-1)?.type, 'done');
    assert.equal(events.at(-1)?.text, 'Over TLS.');
    assert.deepEqual(seen.at(-1), { url: '/v1/completions', authorization: 'Bearer sk-tls' });
  });

  it('refuses a certificate the process does not trust: an endpoint error, nothing sent', async () => {
    const before = seen.length;
    // Retries allowed: a certificate failure must not use them (it cannot get better).
    const client = new EndpointClient(aProfile({ baseUrl }), { apiKey: 'sk-untrusted', retryPolicy: { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 1000, maxRetryAfterMs: 1000 } });
    const started = Date.now();
    let failure: unknown;
    try {
      for await (const _ of client.generateStream({ system: 'You are terse.', prompt: 'Say hi.' }, new AbortController().signal)) {
        // nothing arrives
      }
    } catch (error) {
      failure = error;
    }
    assert.ok(failure instanceof EndpointError, `expected an EndpointError, got ${String(failure)}`);
    assert.equal(failure.kind, 'untrustedCertificate');
    assert.equal(failure.retryable, false);
    assert.ok(Date.now() - started < 1000, 'a certificate failure is not retried');
    assert.match(failure.message, /^Endpoint https:\/\/127\.0\.0\.1:\d+ presented a TLS certificate this machine does not trust \(DEPTH_ZERO_SELF_SIGNED_CERT\), so nothing was sent\. .*fix janus\.generator\.baseUrl\.$/);
    assert.equal(seen.length, before, 'the request (and its key) never reached the server');
  });
});
