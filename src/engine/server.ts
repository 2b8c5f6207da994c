// The local engine's HTTP face: OpenAI-compatible completions and chat (streamed or not), model
// listing, health, llama.cpp-style /props, and reward scoring as OpenRLHF (/get_reward) and vLLM
// (/pooling) serve it. It listens at once and answers 503 until the model has loaded.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { AdmissionOptions } from './admission';
import { Admission, requireJsonContent } from './admission';
import type { ChoiceResult, LlamaRuntime } from './llamaRuntime';
import type { Usage } from './protocol';
import { ChoiceStreamWriter } from './sseWriter';
import {
  EngineHttpError,
  chatRequestSchema,
  completionRequestSchema,
  getRewardRequestSchema,
  parseBody,
  poolingRequestSchema,
  resolveSampling,
} from './protocol';
import { BodyBudget, REWARD_BODY_BYTES, generationBodyLimit, readJson } from './requestBody';
import type { RewardRuntime } from './rewardRuntime';

/** The whole request (headers and body) must arrive within this; responses are not limited. */
export const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;
/** Open connections beyond this are closed as they arrive. */
export const MAX_CONNECTIONS = 64;

export interface EngineServerOptions {
  /** The id clients name in `model`; requests naming another model get a 404. */
  readonly modelId: string;
  readonly log: (line: string) => void;
  /** Which Host, Origin and key are let in (default: loopback names only, no origin, no key). */
  readonly admission?: AdmissionOptions | undefined;
  /** Milliseconds the whole request may take to arrive (default REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs?: number | undefined;
}

type Kind = 'completion' | 'chat';

export class EngineServer {
  readonly http: http.Server;
  private runtime: LlamaRuntime | undefined;
  private loadError: string | undefined;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly active = new Set<AbortController>();
  private readonly admission: Admission;
  private readonly bodies = new BodyBudget();

  constructor(private readonly options: EngineServerOptions) {
    const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    // Node's timeouts cover receiving the request only: a long, quiet stream back is not cut.
    this.http = http.createServer(
      { requestTimeout, headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout), connectionsCheckingInterval: Math.min(1000, requestTimeout) },
      (req, res) => {
        void this.handle(req, res);
      },
    );
    this.http.keepAliveTimeout = 5000;
    this.http.maxConnections = MAX_CONNECTIONS;
    this.admission = new Admission(options.admission ?? { bindHost: '127.0.0.1', allowOrigins: [], apiKey: undefined });
    this.http.on('listening', () => {
      const address = this.http.address();
      if (typeof address === 'object' && address) this.admission.bound(address.port);
    });
  }

  /** Called once the model has loaded; until then every model route answers 503. */
  setRuntime(runtime: LlamaRuntime): void {
    // Reads the vocabulary once now rather than inside the first request.
    void runtime.maxPromptChars;
    this.runtime = runtime;
  }

  setLoadError(message: string): void {
    this.loadError = message;
  }

  /** Aborts every running generation (used on shutdown). */
  abortAll(): void {
    for (const controller of this.active) controller.abort(new Error('engine shutting down'));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://engine');
    const route = `${req.method ?? 'GET'} ${url.pathname.replace(/\/+$/, '') || '/'}`;
    try {
      this.admission.check(req, route);
      switch (route) {
        case 'GET /health':
          return this.health(res);
        case 'GET /v1/models':
        case 'GET /models':
          return sendJson(res, 200, this.models());
        case 'GET /props':
          return sendJson(res, 200, this.props());
        case 'POST /v1/completions':
        case 'POST /completions':
          return await this.generate(req, res, 'completion');
        case 'POST /v1/chat/completions':
        case 'POST /chat/completions':
          return await this.generate(req, res, 'chat');
        case 'POST /get_reward':
          return await this.getReward(req, res);
        case 'POST /pooling':
        case 'POST /v1/pooling':
          return await this.pooling(req, res, 'pooling');
        case 'POST /classify':
        case 'POST /v1/classify':
          return await this.pooling(req, res, 'classify');
        default:
          throw new EngineHttpError(404, `No route ${route}. This engine serves /health, /props, /v1/models, /v1/completions, /v1/chat/completions, /get_reward, /pooling and /classify.`, 'not_found_error', 'route_not_found');
      }
    } catch (error) {
      const httpError = error instanceof EngineHttpError ? error : new EngineHttpError(500, `Engine error: ${error instanceof Error ? error.message : String(error)}`, 'server_error', 'internal_error');
      if (res.headersSent) {
        if (!res.writableEnded) {
          res.write(`data: ${JSON.stringify(httpError.toBody())}\n\n`);
          res.end();
        }
      } else {
        sendJson(res, httpError.status, httpError.toBody());
      }
      if (httpError.status >= 500) this.options.log(`error: ${httpError.message}`);
    } finally {
      const status = res.statusCode;
      this.options.log(`${route} ${status} ${Math.round(performance.now() - started)} ms`);
    }
  }

  private health(res: http.ServerResponse): void {
    if (this.runtime) return sendJson(res, 200, { status: 'ok' });
    if (this.loadError) return sendJson(res, 500, { status: 'error', error: { message: this.loadError, type: 'server_error', code: 'model_load_failed' } });
    sendJson(res, 503, { status: 'loading', error: { message: 'Loading model', type: 'unavailable_error', code: 'loading_model' } });
  }

  private models(): unknown {
    return {
      object: 'list',
      data: [{ id: this.options.modelId, object: 'model', created: this.created, owned_by: 'janus-studio', meta: this.runtime ? { n_ctx: this.runtime.contextSize } : null }],
    };
  }

  private props(): unknown {
    const runtime = this.runtime;
    return {
      model_alias: this.options.modelId,
      total_slots: runtime?.pool.size ?? null,
      idle_slots: runtime?.pool.available ?? null,
      queued_requests: runtime?.pool.waiting ?? null,
      default_generation_settings: { n_ctx: runtime?.contextSize ?? null },
      hidden_size: runtime?.hiddenSize ?? null,
      reward_model: runtime?.reward?.props ?? null,
    };
  }

  private ready(): LlamaRuntime {
    if (this.runtime) return this.runtime;
    if (this.loadError) throw new EngineHttpError(500, this.loadError, 'server_error', 'model_load_failed');
    throw new EngineHttpError(503, 'The model is still loading. Retry when GET /health answers 200.', 'unavailable_error', 'loading_model');
  }

  private checkModel(model: string | undefined): void {
    if (model === undefined || model === '' || model === this.options.modelId) return;
    throw new EngineHttpError(404, `The model '${model}' does not exist here. This engine serves '${this.options.modelId}'.`, 'invalid_request_error', 'model_not_found', 'model');
  }

  private async generate(req: http.IncomingMessage, res: http.ServerResponse, kind: Kind): Promise<void> {
    const runtime = this.ready();
    const body = await readJson(req, generationBodyLimit(runtime.maxPromptChars), this.bodies);
    const request = kind === 'completion' ? parseBody(completionRequestSchema, body) : parseBody(chatRequestSchema, body);
    this.checkModel(request.model);
    runtime.checkPromptChars('prompt' in request ? (typeof request.prompt === 'string' ? request.prompt : (request.prompt[0] ?? '')) : request.messages);
    const n = request.n ?? 1;
    if (n > runtime.pool.size) {
      throw new EngineHttpError(400, `n = ${n} is more than this engine's ${runtime.pool.size} parallel slots. Ask for fewer, or restart the engine with --parallel ${n}.`, 'invalid_request_error', 'invalid_value', 'n');
    }
    // OpenAI's default for completions is 16 tokens; chat has none, so it is bounded by the context.
    const sampling = resolveSampling(request, kind === 'completion' ? 16 : runtime.contextSize);
    const prompt: Token[] =
      'prompt' in request
        ? runtime.tokenizePrompt(typeof request.prompt === 'string' ? request.prompt : (request.prompt[0] ?? ''))
        : await runtime.tokenizeChat(request.messages);

    const controller = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) controller.abort(new Error('client disconnected'));
    };
    res.on('close', onClose);
    this.active.add(controller);
    let slots: LlamaContextSequence[] | undefined;
    let reply: Reply | undefined;
    try {
      slots = await runtime.pool.acquire(n, controller.signal);
      const stream = request.stream === true;
      reply = new Reply(res, kind, `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`, this.options.modelId, stream);
      const writer = reply;
      const results = await runtime.generate(prompt, sampling, slots, {
        onDelta: ({ index, delta }) => writer.delta(index, delta),
        onDone: (result) => writer.done(result),
      }, controller.signal);
      if (controller.signal.aborted) return;
      reply.finish(results, prompt.length, 'prompt' in request && request.echo === true ? (typeof request.prompt === 'string' ? request.prompt : (request.prompt[0] ?? '')) : '');
    } catch (error) {
      // The text already generated goes out before the error event that ends the stream.
      reply?.flush();
      throw error;
    } finally {
      reply?.close();
      if (slots) runtime.pool.release(slots);
      this.active.delete(controller);
      res.off('close', onClose);
    }
  }

  /** The loaded reward model, or the 400 that says how to load one (asked before a body is read). */
  private rewardModel(): RewardRuntime {
    const reward = this.ready().reward;
    if (!reward) {
      throw new EngineHttpError(
        400,
        'This engine has no reward model. Restart it with --reward-model <rm.gguf> (convert the reward model checkpoint with `janus convert-rm --checkpoint <dir> --out rm.gguf`).',
        'invalid_request_error',
        'no_reward_model',
      );
    }
    return reward;
  }

  /**
   * Rewards from the reward model (never the generator). A client that disconnects stops the work
   * before its next text: nobody would read the answer.
   */
  private async scoreTexts(res: http.ServerResponse, texts: readonly string[]): Promise<number[]> {
    const reward = this.rewardModel();
    const controller = new AbortController();
    // The response closing before it was sent is the client going away (a request's own 'close'
    // fires once its body is read, so it says nothing). 499: nginx's "client closed request".
    const onClose = (): void => {
      if (!res.writableFinished) controller.abort(new EngineHttpError(499, 'The client disconnected: scoring stopped.', 'invalid_request_error', 'client_disconnected'));
    };
    res.on('close', onClose);
    this.active.add(controller);
    try {
      return await reward.score(texts, controller.signal);
    } finally {
      this.active.delete(controller);
      res.off('close', onClose);
    }
  }

  private async getReward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Refused before the body is read (after its declared type): an engine without a reward model
    // holds no upload for nothing.
    requireJsonContent(req);
    this.rewardModel();
    const { query } = parseBody(getRewardRequestSchema, await readJson(req, REWARD_BODY_BYTES, this.bodies));
    sendJson(res, 200, { rewards: await this.scoreTexts(res, query) });
  }

  /** vLLM's `/pooling` rows (`data: [r]`) or `/classify` rows of a one-label classifier (`probs: [r]`, raw: no activation). */
  private async pooling(req: http.IncomingMessage, res: http.ServerResponse, shape: 'pooling' | 'classify'): Promise<void> {
    requireJsonContent(req);
    this.rewardModel();
    const request = parseBody(poolingRequestSchema, await readJson(req, REWARD_BODY_BYTES, this.bodies));
    const reward = this.ready().reward;
    // vLLM clients name the model they score with: the reward model's id (or the engine's) is fine.
    if (request.model !== undefined && request.model !== '' && request.model !== reward?.id && request.model !== reward?.props.name) this.checkModel(request.model);
    const texts = typeof request.input === 'string' ? [request.input] : request.input;
    const rewards = await this.scoreTexts(res, texts);
    const promptTokens = reward?.countTokens(texts) ?? 0;
    sendJson(res, 200, {
      id: `${shape === 'classify' ? 'classify' : 'pool'}-${randomUUID()}`,
      object: 'list',
      created: Math.floor(Date.now() / 1000),
      model: reward?.id ?? this.options.modelId,
      data: rewards.map((value, index) =>
        shape === 'classify' ? { index, label: 'LABEL_0', probs: [value], num_classes: 1 } : { index, object: 'pooling', data: [value] },
      ),
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens, completion_tokens: 0 },
    });
  }
}

/** Writes one generation's answer: SSE chunks as choices progress, or one JSON body at the end. */
class Reply {
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly stream: ChoiceStreamWriter | undefined;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly kind: Kind,
    private readonly id: string,
    private readonly model: string,
    stream: boolean,
  ) {
    if (stream) {
      this.stream = new ChoiceStreamWriter(res, { kind, id, created: this.created, model });
      this.stream.open();
    }
  }

  delta(index: number, text: string): void {
    this.stream?.delta(index, text);
  }

  done(result: ChoiceResult): void {
    this.stream?.done(result.index, result.finishReason);
  }

  /** Sends what the stream holds back (before an error event ends it). */
  flush(): void {
    this.stream?.flush();
  }

  close(): void {
    this.stream?.close();
  }

  finish(results: readonly ChoiceResult[], promptTokens: number, echo: string): void {
    const completionTokens = results.reduce((sum, r) => sum + r.completionTokens, 0);
    const usage: Usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    if (this.stream) {
      this.stream.end(usage);
      return;
    }
    const choices = results.map((r) =>
      this.kind === 'chat'
        ? { index: r.index, message: { role: 'assistant', content: r.text }, logprobs: null, finish_reason: r.finishReason }
        : { index: r.index, text: echo + r.text, logprobs: null, finish_reason: r.finishReason },
    );
    sendJson(this.res, 200, { id: this.id, object: this.kind === 'chat' ? 'chat.completion' : 'text_completion', created: this.created, model: this.model, choices, usage });
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
