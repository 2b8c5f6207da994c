// The wire shapes of the local engine: what it accepts (parsed with zod, so a bad field gets a 400
// that names it) and what it answers, in the shapes OpenAI, vLLM and OpenRLHF clients expect.
import * as z from 'zod';

const stopSchema = z.union([z.string(), z.array(z.string()).max(16)]).nullish();

/** Sampling fields shared by completions and chat completions. */
const samplingShape = {
  model: z.string().optional(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  min_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(64).nullish(),
  seed: z.number().int().nullish(),
  stop: stopSchema,
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  /** vLLM's name; 1 disables it. */
  repetition_penalty: z.number().gt(0).max(10).nullish(),
  /** llama.cpp's name for the same thing. */
  repeat_penalty: z.number().gt(0).max(10).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  /** llama.cpp and vLLM: keep generating past end-of-sequence (benchmarks and tests need exact lengths). */
  ignore_eos: z.boolean().nullish(),
  user: z.string().optional(),
};

export const completionRequestSchema = z.object({
  ...samplingShape,
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
  echo: z.boolean().nullish(),
  logprobs: z.null().optional(),
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const messageContent = z.union([z.string(), z.array(textPart)]);
export const chatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: messageContent.nullable(),
  name: z.string().optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatRequestSchema = z.object({
  ...samplingShape,
  messages: z.array(chatMessageSchema).min(1),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** OpenRLHF's reward server: full texts in, one float each out. */
export const getRewardRequestSchema = z.object({ query: z.array(z.string()).min(1).max(512) });

/** vLLM's /pooling and /classify: `input` texts (or one text); the engine never applies an activation. */
export const poolingRequestSchema = z.object({
  model: z.string().optional(),
  input: z.union([z.string(), z.array(z.string()).min(1).max(512)]),
  use_activation: z.boolean().nullish(),
});

/** The sampling a generation runs with, after defaults and aliases are resolved. */
export interface Sampling {
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly topK: number;
  readonly minP: number;
  readonly repetitionPenalty: number;
  readonly presencePenalty: number;
  readonly frequencyPenalty: number;
  readonly seed: number | undefined;
  readonly stop: readonly string[];
  readonly ignoreEos: boolean;
}

/** OpenAI's defaults (max_tokens 16 for completions, unbounded for chat: we bound it by the context). */
export function resolveSampling(body: z.infer<z.ZodObject<typeof samplingShape>>, defaultMaxTokens: number): Sampling {
  const stop = body.stop == null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
  return {
    maxTokens: body.max_tokens ?? body.max_completion_tokens ?? defaultMaxTokens,
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? 1,
    topK: body.top_k ?? 0,
    minP: body.min_p ?? 0,
    repetitionPenalty: body.repetition_penalty ?? body.repeat_penalty ?? 1,
    presencePenalty: body.presence_penalty ?? 0,
    frequencyPenalty: body.frequency_penalty ?? 0,
    seed: body.seed ?? undefined,
    stop: stop.filter((s) => s.length > 0),
    ignoreEos: body.ignore_eos ?? false,
  };
}

/** An error the engine answers with, in OpenAI's `{error: {message, type, param, code}}` shape. */
export class EngineHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'EngineHttpError';
  }

  toBody(): { error: { message: string; type: string; param: string | null; code: string } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** Turns a zod failure into a 400 that names the first bad field and what was expected. */
export function invalidRequest(error: z.ZodError): EngineHttpError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
  const what = issue?.message ?? 'invalid request';
  const message = field ? `Invalid field '${field}': ${what}` : `Invalid request: ${what}`;
  return new EngineHttpError(400, message, 'invalid_request_error', 'invalid_value', field);
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw invalidRequest(result.error);
  return result.data;
}

export type FinishReason = 'stop' | 'length';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}
