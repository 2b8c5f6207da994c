import { UserFacingError } from '../errors';
import type { RetryDecision } from '../jobs/retry';
import type { EndpointRole } from './profile';
import { displayOrigin, editorSaveKey } from './profile';

export type EndpointErrorKind =
  | 'unreachable'
  /** The TLS handshake failed on the server's certificate: retrying cannot help. */
  | 'untrustedCertificate'
  | 'timeout'
  | 'stalled'
  | 'unauthorized'
  | 'rateLimited'
  | 'notFound'
  | 'modelNotFound'
  | 'badRequest'
  | 'server'
  | 'badResponse'
  /** A reply over the profile's `maxReplyChars`: that call fails, the job goes on. */
  | 'replyTooLarge'
  /** The connection broke after part of the reply had arrived (not "could not be reached"). */
  | 'interrupted'
  | 'cancelled';

/**
 * What a message tells the user to change. The editor names its settings; the CLI names its
 * flags, since a CLI user has no settings to fix (see `cliFixNames` in the CLI).
 */
export interface EndpointFixNames {
  readonly baseUrl: string;
  readonly model: string;
  readonly format: string;
  /** Everything else about the endpoint, e.g. "the janus.judge.* settings". */
  readonly options: string;
  readonly timeout: string;
  readonly stallTimeout: string;
  /** Ends "Save the right key for <origin> ...". */
  readonly saveKey: string;
  /** Where the served models are listed, after "Fix <model>". */
  readonly listModels: string;
  /** The reply size limit; default the editor's `janus.<role>.maxReplyChars`. */
  readonly maxReplyChars?: string | undefined;
}

/** The names of the editor's settings for a role (the default when a host gives none). */
export function settingFixNames(role: EndpointRole): EndpointFixNames {
  return {
    baseUrl: `janus.${role}.baseUrl`,
    model: `janus.${role}.model`,
    format: `janus.${role}.format`,
    options: `the janus.${role}.* settings`,
    timeout: 'janus.request.timeoutMs',
    stallTimeout: 'janus.request.stallTimeoutMs',
    saveKey: editorSaveKey,
    listModels: '"Janus: Check Endpoints" lists the served models',
    maxReplyChars: `janus.${role}.maxReplyChars`,
  };
}

/** Which request failed, so the message can name the origin and the setting to fix. */
export interface EndpointErrorContext {
  readonly role: EndpointRole;
  readonly baseUrl: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly stallTimeoutMs: number;
  /** Default: the editor's settings for `role`. */
  readonly fixNames?: EndpointFixNames | undefined;
  /** The API key in use: never shown, only masked out of anything a server said. */
  readonly secret?: string | undefined;
}

function namesFor(ctx: EndpointErrorContext): EndpointFixNames {
  return ctx.fixNames ?? settingFixNames(ctx.role);
}

/**
 * A failed endpoint call. `message` is for the user (what happened, what to do next) and never
 * holds a key or a server's echo of one; `cause` keeps the original error for the log.
 */
export class EndpointError extends UserFacingError {
  override readonly name = 'EndpointError';
  constructor(
    readonly kind: EndpointErrorKind,
    message: string,
    readonly origin: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown; role?: EndpointRole },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.role = options?.role;
  }

  /** The profile whose request failed, so a host can open the right settings. */
  readonly role: EndpointRole | undefined;

  /** Transient failures worth another attempt (before any text has been streamed). */
  get retryable(): boolean {
    return this.kind === 'rateLimited' || this.kind === 'server' || this.kind === 'unreachable';
  }
}

export function retryDecisionFor(error: unknown): RetryDecision {
  if (error instanceof EndpointError && error.retryable) return { retry: true, retryAfterMs: error.retryAfterMs, rateLimited: error.kind === 'rateLimited' };
  return { retry: false };
}

const keyLike = /\b(sk|rk|pk|key|api)[-_][A-Za-z0-9_*.-]{6,}/gi;

/** Characters keys are made of, in runs long enough that matching a piece of the key is no accident. */
const keyPiece = /[A-Za-z0-9_\-.~+/=]{8,}/g;

/**
 * `text` with the key in use masked, whatever its shape: the whole key, and any run of 8 or more
 * key characters that is a piece of it (servers echo parts of a rejected key, e.g. "sk-proj-ab…").
 */
export function maskSecret(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length < 4) return text;
  return text.split(secret).join('[redacted]').replace(keyPiece, (piece) => (secret.includes(piece) ? '[redacted]' : piece));
}

/** A server's own words, shortened, with the key in use and anything shaped like a key masked. */
export function serverDetail(text: string | undefined, secret?: string): string {
  if (!text) return '';
  // Without its closing period: the detail is followed by our own sentence.
  const clean = maskSecret(text, secret).replace(keyLike, '[redacted]').replace(/\s+/g, ' ').trim().replace(/\.+$/, '');
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}

/** Node's codes for a certificate the TLS handshake refused (not trusted, expired, wrong name). */
const certificateCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The certificate code somewhere in `error`'s cause chain, if the failure was one. */
export function certificateCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && certificateCodes.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

function isLocal(origin: string): boolean {
  return /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|$)/.test(origin);
}

/** A connection-level failure (no HTTP status) in the user's terms. */
export function unreachableError(ctx: EndpointErrorContext, cause: unknown): EndpointError {
  const origin = displayOrigin(ctx.baseUrl);
  const setting = namesFor(ctx).baseUrl;
  const certificate = certificateCode(cause);
  if (certificate !== undefined) {
    const what = certificate === 'CERT_HAS_EXPIRED' || certificate === 'CERT_NOT_YET_VALID' ? 'a TLS certificate that is not valid now' : certificate === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'a TLS certificate for another host name' : 'a TLS certificate this machine does not trust';
    return new EndpointError(
      'untrustedCertificate',
      `Endpoint ${origin} presented ${what} (${certificate}), so nothing was sent. If the server is yours, add its certificate authority to the system's trusted certificates (NODE_EXTRA_CA_CERTS for the command line); otherwise fix ${setting}.`,
      origin,
      undefined,
      undefined,
      { cause, role: ctx.role },
    );
  }
  const code = causeCode(cause);
  let message: string;
  if (code === 'ECONNREFUSED') {
    message = isLocal(origin)
      ? `Endpoint ${origin} refused the connection. Start the local engine or fix ${setting}.`
      : `Endpoint ${origin} refused the connection. Check that the server is running or fix ${setting}.`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    message = `Endpoint host ${new URL(origin).hostname} was not found. Check the network or fix ${setting}.`;
  } else {
    message = `Endpoint ${origin} could not be reached${code ? ` (${code})` : ''}. Check that the server is running or fix ${setting}.`;
  }
  return new EndpointError('unreachable', message, origin, undefined, undefined, { cause, role: ctx.role });
}

/** An HTTP error reply in the user's terms. */
export function httpError(ctx: EndpointErrorContext, status: number, detail: string, retryAfterMs: number | undefined, cause?: unknown): EndpointError {
  const origin = displayOrigin(ctx.baseUrl);
  const names = namesFor(ctx);
  const said = serverDetail(detail, ctx.secret);
  const because = said ? `: ${said}` : '';
  const make = (kind: EndpointErrorKind, message: string): EndpointError =>
    new EndpointError(kind, message, origin, status, retryAfterMs, { cause, role: ctx.role });
  if (status === 401 || status === 403) {
    // The server's text is left out on purpose: OpenAI echoes part of the rejected key.
    return make('unauthorized', `Endpoint ${origin} rejected the API key (${status}). Save the right key for ${origin} ${names.saveKey}.`);
  }
  if (status === 429) {
    return make('rateLimited', `Endpoint ${origin} is limiting requests (429)${because}. Wait a moment and try again.`);
  }
  if (status === 404) {
    if (/model/i.test(said)) {
      const model = ctx.model === '' ? 'the requested model' : `model "${ctx.model}"`;
      return make('modelNotFound', `Endpoint ${origin} does not serve ${model}${because}. Fix ${names.model} (${names.listModels}).`);
    }
    return make('notFound', `Endpoint ${origin} has no such API (404)${because}. Check ${names.baseUrl}: OpenAI-compatible servers usually need it to end in /v1.`);
  }
  if (status === 503 && /load/i.test(said)) {
    return make('server', `Endpoint ${origin} is still loading its model (503). Wait until it is ready and try again.`);
  }
  if (status >= 500) {
    return make('server', `Endpoint ${origin} failed (${status})${because}. Try again; if it persists, check the server's log.`);
  }
  return make('badRequest', `Endpoint ${origin} rejected the request (${status})${because}. Check ${names.options}.`);
}

export function timeoutError(ctx: EndpointErrorContext, cause?: unknown): EndpointError {
  const origin = displayOrigin(ctx.baseUrl);
  return new EndpointError('timeout', `Endpoint ${origin} did not answer within ${seconds(ctx.timeoutMs)}. The model may still be loading: try again, or raise ${namesFor(ctx).timeout}.`, origin, undefined, undefined, { cause, role: ctx.role });
}

/** `chars`: reply text that had arrived before the silence (it is said, so nobody thinks nothing came). */
export function stalledError(ctx: EndpointErrorContext, chars = 0): EndpointError {
  const origin = displayOrigin(ctx.baseUrl);
  const what = chars > 0 ? `stopped sending for ${seconds(ctx.stallTimeoutMs)} in the middle of a reply, after ${chars} characters of text` : `answered, then sent nothing for ${seconds(ctx.stallTimeoutMs)} before any text`;
  return new EndpointError('stalled', `Endpoint ${origin} ${what}, so the request was stopped. Try again, or raise ${namesFor(ctx).stallTimeout}.`, origin, undefined, undefined, { role: ctx.role });
}

export function cancelledError(ctx: EndpointErrorContext): EndpointError {
  const origin = displayOrigin(ctx.baseUrl);
  return new EndpointError('cancelled', 'The request was cancelled.', origin, undefined, undefined, { role: ctx.role });
}

export function replyTooLargeError(ctx: EndpointErrorContext, limitChars: number): EndpointError {
  const origin = displayOrigin(ctx.baseUrl);
  const setting = namesFor(ctx).maxReplyChars ?? settingFixNames(ctx.role).maxReplyChars ?? 'the reply size limit';
  return new EndpointError('replyTooLarge', `Endpoint ${origin} sent a reply longer than ${limitChars} characters, so that call was stopped and counts as failed. Raise ${setting} if replies this long are expected.`, origin, undefined, undefined, { role: ctx.role });
}

/** The connection broke after `bytes` of the reply had arrived. */
export function interruptedError(ctx: EndpointErrorContext, bytes: number, cause: unknown): EndpointError {
  const origin = displayOrigin(ctx.baseUrl);
  const code = causeCode(cause);
  return new EndpointError(
    'interrupted',
    `Endpoint ${origin} closed the connection in the middle of a reply, after ${bytes} bytes had arrived${code ? ` (${code})` : ''}. Try again; if it persists, check the server's log.`,
    origin,
    undefined,
    undefined,
    { cause, role: ctx.role },
  );
}

export function badResponseError(ctx: EndpointErrorContext, what: string, cause?: unknown): EndpointError {
  const origin = displayOrigin(ctx.baseUrl);
  return new EndpointError('badResponse', `Endpoint ${origin} sent a reply this extension cannot read (${serverDetail(what, ctx.secret)}). Check that ${namesFor(ctx).format} matches the server.`, origin, undefined, undefined, { cause, role: ctx.role });
}
