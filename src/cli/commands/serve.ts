import { parseArgs } from 'node:util';
import path from 'node:path';
import type { CliCommand } from '../command';
import { CliUsageError } from '../command';
import { normaliseAllowedOrigin } from '../../engine/admission';
import { EngineServer } from '../../engine/server';
import { LlamaRuntime, checkModelFile, defaultThreads } from '../../engine/llamaRuntime';
import type { RewardModelInfo } from '../../engine/rewardGguf';
import { readRewardModelInfo } from '../../engine/rewardGguf';

const usage = `Usage: janus serve --model <file.gguf> [options]

Runs the local Janus engine: an OpenAI-compatible server on llama.cpp.

Options:
  --model <file.gguf>     the generator to serve (required)
  --reward-model <rm.gguf>
                          a reward model (written by \`janus convert-rm\`), loaded beside the
                          generator as its own llama.cpp model; /get_reward and /pooling score
                          with it only. Input is truncated to its max_length tokens (2048 for
                          Janus-RM, as the reference does) and read at the last kept token.
  --model-id <id>         the id clients send as "model" (default: the file name without .gguf)
  --host <host>           address to bind (default 127.0.0.1: this machine only)
  --port <port>           port (default 8011; 0 picks a free one)
  --parallel <n>          parallel generation slots (default 4)
  --threads <n>           llama.cpp threads (default: cores - 1, at least 1)
  --context <tokens>      tokens per slot, prompt + completion (default 4096)
  --api-key <key>         require "Authorization: Bearer <key>" on every request but GET /health
                          (better: set JANUS_ENGINE_API_KEY, which \`ps\` does not show)
  --allow-origin <origin> let web pages of this origin call the engine (repeatable; by default any
                          request with an Origin header is refused)
  --request-timeout <s>   seconds a request (headers and body) may take to arrive (default 30)
  --quiet                 no request log lines

Requests must name the bound address in Host (127.0.0.1, localhost or [::1] with the port, or the
--host given) and send POST bodies as Content-Type: application/json.`;

function positiveInt(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliUsageError(`--${name} must be an integer of at least ${min}, got "${value}"`);
  return n;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the local engine (OpenAI-compatible server on llama.cpp)',
  usage,
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        model: { type: 'string' },
        'reward-model': { type: 'string' },
        'reward-head': { type: 'string' },
        'model-id': { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string' },
        parallel: { type: 'string' },
        threads: { type: 'string' },
        context: { type: 'string' },
        'api-key': { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'request-timeout': { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (values['reward-head'] !== undefined) {
      throw new CliUsageError(
        '--reward-head is gone: a value head only means something on its own reward model backbone, not on the generator. Convert the whole reward model with `janus convert-rm --checkpoint <dir> --out rm.gguf` and pass --reward-model rm.gguf.',
      );
    }
    if (!values.model) throw new CliUsageError('--model <file.gguf> is required');
    const port = positiveInt(values.port, 'port', 8011, 0);
    const parallel = positiveInt(values.parallel, 'parallel', 4);
    const threads = positiveInt(values.threads, 'threads', defaultThreads());
    const contextSize = positiveInt(values.context, 'context', 4096, 64);
    const requestTimeoutMs = positiveInt(values['request-timeout'], 'request-timeout', 30) * 1000;
    const apiKey = values['api-key'] ?? process.env['JANUS_ENGINE_API_KEY'];
    if (apiKey !== undefined && apiKey.trim() === '') throw new CliUsageError('--api-key (or JANUS_ENGINE_API_KEY) is empty; give a key or leave it out');
    const allowOrigins = (values['allow-origin'] ?? []).map((origin) => {
      const normalised = normaliseAllowedOrigin(origin);
      if (normalised === undefined) throw new CliUsageError(`--allow-origin takes an origin such as http://localhost:3000 (scheme, host and port only), got "${origin}"`);
      return normalised;
    });
    const modelPath = path.resolve(values.model);
    const problem = checkModelFile(modelPath);
    if (problem) throw new Error(problem);
    const rewardModelPath = values['reward-model'] !== undefined ? path.resolve(values['reward-model']) : undefined;
    let rewardInfo: RewardModelInfo | undefined;
    if (rewardModelPath !== undefined) {
      const rmProblem = checkModelFile(rewardModelPath);
      if (rmProblem) throw new Error(`--reward-model: ${rmProblem.replace(/ Pass --model.*$/, '')} Pass --reward-model <rm.gguf> (written by \`janus convert-rm\`).`);
      rewardInfo = await readRewardModelInfo(rewardModelPath);
    }
    const modelId = values['model-id'] ?? path.basename(modelPath).replace(/\.gguf$/i, '');
    const log = values.quiet ? (): void => undefined : (line: string): void => void process.stdout.write(`${line}\n`);

    const server = new EngineServer({
      modelId,
      log,
      admission: { bindHost: values.host, allowOrigins, apiKey: apiKey?.trim() },
      requestTimeoutMs,
    });
    await listen(server, values.host, port);
    const address = server.http.address();
    const boundPort = typeof address === 'object' && address ? address.port : port;
    const host = values.host.includes(':') ? `[${values.host}]` : values.host;
    process.stdout.write(`Loading ${path.basename(modelPath)} (${parallel} slots, ${threads} threads, context ${contextSize})...\n`);
    if (rewardModelPath && rewardInfo) process.stdout.write(`Loading reward model ${path.basename(rewardModelPath)} (${describeRewardModel(rewardInfo)})...\n`);

    let runtime: LlamaRuntime | undefined;
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`Received ${signal}: stopping the engine.\n`);
      server.abortAll();
      server.http.closeAllConnections();
      await new Promise<void>((resolve) => server.http.close(() => resolve()));
      await runtime?.dispose();
      process.exit(0);
    };
    // `on`, not `once`: a dependency's signal-exit handler re-raises the signal when it finds no
    // other listener left, which would kill the process before the cleanup below has run.
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));

    try {
      runtime = await LlamaRuntime.load({
        modelPath,
        parallel,
        threads,
        contextSize,
        rewardModel: rewardModelPath && rewardInfo ? { path: rewardModelPath, info: rewardInfo } : undefined,
      });
    } catch (error) {
      server.http.close();
      throw error;
    }
    server.setRuntime(runtime);
    process.stdout.write(`Janus engine listening on http://${host}:${boundPort} (model "${modelId}"; reward model: ${runtime.reward ? `"${runtime.reward.id}"` : 'none'}${apiKey ? '; API key required' : ''})\n`);
    // Keep running until a signal arrives.
    await new Promise<never>(() => undefined);
    return 0;
  },
};

function describeRewardModel(info: RewardModelInfo): string {
  const norm = info.head.mean !== undefined && info.head.std !== undefined ? `normalised with mean ${info.head.mean}, std ${info.head.std}` : 'not normalised';
  return `hidden size ${info.embeddingLength}, ${norm}, max_length ${info.maxLength}`;
}

function listen(server: EngineServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is already in use. Stop what runs there or pass --port <another>.`
            : `could not listen on ${host}:${port}: ${error.message}`,
        ),
      );
    };
    server.http.once('error', onError);
    server.http.listen(port, host, () => {
      server.http.off('error', onError);
      resolve();
    });
  });
}
