// Who may talk to the local engine. A web page in the user's browser can reach 127.0.0.1 too: with
// no-cors POSTs (text/plain bodies, an Origin header) or, through DNS rebinding, under a Host name
// it controls. So the engine answers only requests whose `Host` names its own address, that carry
// no `Origin` unless the user allowed it, whose POST bodies are declared JSON (a page cannot send
// that without a CORS preflight, which the engine never grants), and, when a key is set, that
// present it as `Authorization: Bearer`. Refusals use OpenAI's error shape like every other error.
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import net from 'node:net';
import { EngineHttpError } from './protocol';

export interface AdmissionOptions {
  /** The address the engine was asked to bind (`--host`), as the user wrote it. */
  readonly bindHost: string;
  /** Origins (`scheme://host[:port]`) whose pages may call the engine (`--allow-origin`). */
  readonly allowOrigins: readonly string[];
  /** When set, every request but `GET /health` must carry `Authorization: Bearer <key>`. */
  readonly apiKey: string | undefined;
}

const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
}

/** A Host header value as `host:port`, lowercased, IPv6 in brackets; the port filled in when absent. */
function normaliseHost(value: string): { name: string; port: string } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!match?.[1]) return undefined;
  return { name: match[1].toLowerCase().replace(/\.$/, ''), port: match[2] ?? '80' };
}

/** Normalises an origin the user allowed; undefined when it is not `scheme://host[:port]`. */
export function normaliseAllowedOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if (url.origin === 'null' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

export class Admission {
  private readonly origins: ReadonlySet<string>;
  private readonly keyDigest: Buffer | undefined;
  private names: ReadonlySet<string> = new Set();
  private port = '';
  private anyIpLiteral = false;

  constructor(private readonly options: AdmissionOptions) {
    this.origins = new Set(options.allowOrigins.map((o) => normaliseAllowedOrigin(o) ?? o));
    this.keyDigest = options.apiKey === undefined ? undefined : digest(options.apiKey);
  }

  /** Called once the server listens: the port is known only then (`--port 0`). */
  bound(port: number): void {
    this.port = String(port);
    const host = this.options.bindHost.toLowerCase();
    const names = new Set(loopbackNames);
    // Bound to every interface: the machine's addresses are not known here, but an IP literal
    // cannot be rebound to another site, so any address is accepted; names still are not.
    this.anyIpLiteral = isWildcard(host);
    if (!this.anyIpLiteral) names.add(net.isIPv6(host) ? `[${host}]` : host);
    this.names = names;
  }

  /** Throws the refusal for a request that may not be served; returns when it may. */
  check(req: http.IncomingMessage, route: string): void {
    this.checkHost(req.headers.host);
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin)) {
      throw new EngineHttpError(
        403,
        `Requests from the web origin ${JSON.stringify(origin)} are refused: a web page may not drive the local engine. If you need it, restart the engine with --allow-origin ${origin}.`,
        'permission_error',
        'origin_not_allowed',
      );
    }
    if (this.keyDigest && route !== 'GET /health' && !this.keyMatches(req.headers.authorization)) {
      throw new EngineHttpError(
        401,
        'This engine needs an API key: send "Authorization: Bearer <key>" with the key it was started with (--api-key or JANUS_ENGINE_API_KEY).',
        'authentication_error',
        'invalid_api_key',
      );
    }
  }

  private checkHost(value: string | undefined): void {
    const host = value === undefined ? undefined : normaliseHost(value);
    const ip = host?.name.replace(/^\[|\]$/g, '');
    const named = host !== undefined && host.port === this.port && (this.names.has(host.name) || (this.anyIpLiteral && ip !== undefined && net.isIP(ip) !== 0));
    if (named) return;
    throw new EngineHttpError(
      403,
      `Host ${JSON.stringify(value ?? '')} is not this engine's address: it answers only to 127.0.0.1:${this.port}, localhost:${this.port} or [::1]:${this.port}${this.names.size > loopbackNames.length ? ` (or the --host it was started with)` : ''}. Use one of those in the base URL.`,
      'permission_error',
      'host_not_allowed',
    );
  }

  private keyMatches(authorization: string | undefined): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!match?.[1] || !this.keyDigest) return false;
    // Equal-length digests: the comparison time says nothing about the key.
    return timingSafeEqual(digest(match[1].trim()), this.keyDigest);
  }
}

/** POST bodies must be declared JSON; a browser cannot do that cross-origin without a preflight. */
export function requireJsonContent(req: http.IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return;
  throw new EngineHttpError(
    415,
    `The request body must be JSON sent with "Content-Type: application/json" (got ${req.headers['content-type'] === undefined ? 'no content type' : JSON.stringify(req.headers['content-type'])}).`,
    'invalid_request_error',
    'unsupported_media_type',
  );
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
