/**
 * OpenAI Batch API files for a judge run (JANUS.md): one JSONL request line per (run, instance,
 * rubric item) with `custom_id` = `{id}_{i}` as the original scripts write it (runs after the first
 * add `_run{n}`), and the output file read back into the same records the live job checkpoints.
 * Output lines come back in any order; a line with an error or without a score is reported, never
 * turned into a number.
 */
import * as z from 'zod';
import type { BenchInstance } from '../bench/benchSchema';
import type { ResponsesFile } from '../bench/resultFiles';
import { entryFor } from '../bench/resultFiles';
import type { Sampling } from '../endpoints/profile';
import type { JudgeTemplate } from '../prompts/judgePrompt';
import { defaultJudgeSystemPrompt, defaultJudgeTemplate, renderJudgePrompt } from '../prompts/judgePrompt';
import type { JudgedItem } from './aggregate';
import { parseJudgeReply } from './scoreParser';

export interface BatchRequestOptions {
  readonly instances: readonly BenchInstance[];
  readonly responses: ResponsesFile;
  readonly model: string;
  readonly sampling: Pick<Sampling, 'maxTokens' | 'temperature' | 'topP'>;
  readonly runs?: number | undefined;
  readonly template?: JudgeTemplate | undefined;
  readonly systemPrompt?: string | undefined;
  /** Only the requests whose `custom_id` this accepts (items already judged are left out). */
  readonly include?: ((customId: string) => boolean) | undefined;
}

export function batchCustomId(id: string, rubricIndex: number, run: number): string {
  return run === 0 ? `${id}_${rubricIndex}` : `${id}_${rubricIndex}_run${run + 1}`;
}

/** The batch input file: one request a line, every line ending in a newline. */
export function judgeBatchInput(options: BatchRequestOptions): string {
  // One growing string, not an array joined at the end.
  let text = '';
  for (const line of judgeBatchLines(options)) text += line;
  return text;
}

/** The input file's lines (each ending in a newline), one at a time: a 3-run full bench is ~60 MB. */
export function* judgeBatchLines(options: BatchRequestOptions): Generator<string, void, undefined> {
  const template = options.template ?? defaultJudgeTemplate;
  const system = options.systemPrompt ?? defaultJudgeSystemPrompt;
  for (let run = 0; run < (options.runs ?? 1); run++) {
    for (const instance of options.instances) {
      const response = entryFor(options.responses, instance.id)?.response;
      if (response === undefined) continue;
      for (const [i, rubric] of instance.rubrics.entries()) {
        const customId = batchCustomId(instance.id, i, run);
        if (options.include && !options.include(customId)) continue;
        const user = renderJudgePrompt(template, { instruction: instance.prompt, response, referenceAnswer: instance.reference_answer, rubric });
        const body = {
          model: options.model,
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: user },
          ],
          max_tokens: options.sampling.maxTokens,
          temperature: options.sampling.temperature,
          top_p: options.sampling.topP,
        };
        yield `${JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body })}\n`;
      }
    }
  }
}

const outputLineSchema = z.looseObject({
  custom_id: z.string(),
  response: z
    .looseObject({
      status_code: z.number(),
      body: z.looseObject({ choices: z.array(z.looseObject({ message: z.looseObject({ content: z.string().nullable() }) })).optional() }).nullable().optional(),
    })
    .nullable()
    .optional(),
  error: z.looseObject({ message: z.string().optional(), code: z.string().nullable().optional() }).nullable().optional(),
});

export interface BatchJudgedItem extends JudgedItem {
  readonly feedback: string;
  readonly reply: string;
}

export interface BatchOutput {
  readonly items: readonly BatchJudgedItem[];
  /** Lines whose request failed (`error`, a non-200 status) or did not parse, with why. */
  readonly failed: readonly { readonly customId: string | undefined; readonly line: number; readonly reason: string }[];
}

/** Maps `custom_id`s back to (run, id, rubric); ids may themselves contain underscores. */
function idIndex(instances: readonly BenchInstance[], runs: number): Map<string, { run: number; id: string; rubricIndex: number }> {
  const index = new Map<string, { run: number; id: string; rubricIndex: number }>();
  for (let run = 0; run < runs; run++) {
    for (const instance of instances) instance.rubrics.forEach((_, i) => index.set(batchCustomId(instance.id, i, run), { run, id: instance.id, rubricIndex: i }));
  }
  return index;
}

/**
 * Reads a batch output file. A reply without a score is an item with `score: null` and the reply
 * kept (the live job would have asked again; here the user reruns those items).
 */
export function parseJudgeBatchOutput(text: string, instances: readonly BenchInstance[], runs = 1): BatchOutput {
  const index = idIndex(instances, runs);
  const items: BatchJudgedItem[] = [];
  const failed: { customId: string | undefined; line: number; reason: string }[] = [];
  text.split('\n').forEach((raw, lineIndex) => {
    if (raw.trim() === '') return;
    let parsed: z.infer<typeof outputLineSchema>;
    try {
      parsed = outputLineSchema.parse(JSON.parse(raw));
    } catch {
      failed.push({ customId: undefined, line: lineIndex + 1, reason: 'not a batch output line' });
      return;
    }
    const key = index.get(parsed.custom_id);
    if (!key) {
      failed.push({ customId: parsed.custom_id, line: lineIndex + 1, reason: 'custom_id matches no rubric item of this bench' });
      return;
    }
    const status = parsed.response?.status_code;
    const content = parsed.response?.body?.choices?.[0]?.message.content;
    if (parsed.error || status !== 200 || typeof content !== 'string') {
      failed.push({ customId: parsed.custom_id, line: lineIndex + 1, reason: parsed.error?.message ?? `status ${status ?? 'missing'}` });
      return;
    }
    const reply = parseJudgeReply(content);
    items.push({ ...key, score: reply.score, feedback: reply.score === null ? content.trim() : reply.feedback, reply: content });
  });
  return { items, failed };
}
