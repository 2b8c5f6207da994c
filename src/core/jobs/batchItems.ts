/**
 * What a batch evaluation sends: one item per (run, instance, rubric) with a response, keyed and
 * fingerprinted as the live job's checkpoint lines are; which of them are judged already
 * (checkpoint, then reply cache); and a digest of what a sent input file held, to check that a
 * finished batch still belongs to the current bench, responses and judge.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { entryFor } from '../bench/resultFiles';
import { batchCustomId } from '../judge/batchFiles';
import { parseJudgeReply } from '../judge/scoreParser';
import { defaultJudgeSystemPrompt, defaultJudgeTemplate, renderJudgePrompt } from '../prompts/judgePrompt';
import type { BatchEvaluationOptions } from './batchEvaluation';
import { CheckpointWriter, readCheckpoint } from './checkpoint';
import type { JudgeRecord } from './evaluationJob';
import { acceptRecordFor, judgeFingerprint, judgeUnitKey } from './evaluationJob';

type ItemOptions = Pick<BatchEvaluationOptions, 'instances' | 'responses' | 'template' | 'systemPrompt' | 'judge'>;

export interface JudgeItem {
  readonly key: string;
  readonly customId: string;
  readonly fingerprint: string;
  readonly run: number;
  readonly id: string;
  readonly rubricIndex: number;
}

export function judgeItems(options: ItemOptions, runs: number): JudgeItem[] {
  const template = options.template ?? defaultJudgeTemplate;
  const system = options.systemPrompt ?? defaultJudgeSystemPrompt;
  const items: JudgeItem[] = [];
  for (let run = 0; run < runs; run++) {
    for (const instance of options.instances) {
      const response = entryFor(options.responses, instance.id)?.response;
      if (response === undefined) continue;
      instance.rubrics.forEach((rubric, rubricIndex) => {
        const prompt = renderJudgePrompt(template, { instruction: instance.prompt, response, referenceAnswer: instance.reference_answer, rubric });
        items.push({
          key: judgeUnitKey(run, instance.id, rubricIndex),
          customId: batchCustomId(instance.id, rubricIndex, run),
          fingerprint: judgeFingerprint(options.judge.identity, system, prompt, run),
          run,
          id: instance.id,
          rubricIndex,
        });
      });
    }
  }
  return items;
}

export function acceptLine(value: unknown): { key: string; fingerprint: string; result: unknown } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, fingerprint } = value as { key?: unknown; fingerprint?: unknown };
  return typeof key === 'string' && typeof fingerprint === 'string' && 'result' in value ? (value as { key: string; fingerprint: string; result: unknown }) : undefined;
}

/**
 * Items judged already: checkpoint lines with the current fingerprint, then scored replies in the
 * cache (appended to the checkpoint, as the live job does with a cache hit).
 */
export async function judgedAlready(options: Pick<BatchEvaluationOptions, 'checkpointFile' | 'cache'>, items: readonly JudgeItem[]): Promise<Map<string, JudgeRecord>> {
  const read = await readCheckpoint(options.checkpointFile, acceptLine);
  const byKey = new Map(items.map((i) => [i.key, i]));
  const done = new Map<string, JudgeRecord>();
  for (const line of read.records) {
    if (byKey.get(line.key)?.fingerprint !== line.fingerprint) continue;
    const record = acceptRecordFor(line.result, line.key);
    if (record) done.set(line.key, record);
  }
  if (options.cache) {
    const writer = new CheckpointWriter(options.checkpointFile, read.endsMidLine);
    try {
      for (const item of items) {
        if (done.has(item.key)) continue;
        const cached = options.cache.get(item.fingerprint);
        const parsed = cached ? parseJudgeReply(cached.text) : undefined;
        if (!cached || !parsed || parsed.score === null) continue;
        const record: JudgeRecord = { run: item.run, id: item.id, rubricIndex: item.rubricIndex, ...parsed, reply: cached.text, attempts: 0 };
        done.set(item.key, record);
        writer.append({ key: item.key, fingerprint: item.fingerprint, result: record });
      }
    } finally {
      writer.close();
    }
  }
  return done;
}

/** The `custom_id`s of an input file, read line by line (each starts with it, as `judgeBatchLines` writes them). */
export async function sentCustomIds(file: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const match = /^\{"custom_id":("(?:[^"\\]|\\.)*")/.exec(line);
    if (match?.[1]) ids.add(JSON.parse(match[1]) as string);
  }
  return ids;
}

/** What decides the sent items' replies (prompts, judge, sampling), without building the input again. */
export function itemsDigest(items: readonly JudgeItem[], sent: ReadonlySet<string>): string {
  const hash = createHash('sha256');
  for (const item of items) if (sent.has(item.customId)) hash.update(`${item.customId} ${item.fingerprint}\n`);
  return hash.digest('hex');
}
