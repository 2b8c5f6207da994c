/**
 * Evaluate Bench: one judge call per (run, instance, rubric item), through the shared scheduler,
 * checkpointed and resumable. A reply without a score is asked again (bounded); if none of the
 * attempts has one, the item is recorded as unscored with the last reply kept, never as a number.
 */
import path from 'node:path';
import type { BenchInstance } from '../bench/benchSchema';
import type { EvaluationFile, ResponsesFile } from '../bench/resultFiles';
import { entryFor, evaluationEntry, idRecord, missingResponses as missingResponsesOf, writeResultFile } from '../bench/resultFiles';
import type { TokenUsage } from '../endpoints/streamAssembly';
import { UserFacingError } from '../errors';
import { writeFileAtomic } from '../files/atomicWrite';
import type { JudgeTemplate } from '../prompts/judgePrompt';
import { defaultJudgeSystemPrompt, defaultJudgeTemplate, renderJudgePrompt } from '../prompts/judgePrompt';
import type { EvaluationSummary, JudgedItem } from '../judge/aggregate';
import { summarize } from '../judge/aggregate';
import { parseJudgeReply } from '../judge/scoreParser';
import type { TextModel } from './textModel';
import { completeScheduled, hashKey } from './textModel';
import type { JobHostOptions, JobOutcome, JobUnit } from './unitRunner';
import { withRunLock } from './runLock';
import { runUnits } from './unitRunner';
import type { IntervalsComputer, IntervalsJson } from '../stats/evaluationStats';
import { computeIntervalsHere } from '../stats/evaluationStats';

/** One judged rubric item as the checkpoint stores it. */
export interface JudgeRecord extends JudgedItem {
  readonly feedback: string;
  /** The judge's whole last reply: kept so an unscored item can be read and rescored by hand. */
  readonly reply: string;
  /** Calls made for it (0 when it came from the cache). */
  readonly attempts: number;
}

/** `outFile` is the evaluation file; with several runs, one file per run beside it (see `evaluationOutputs`). */
export interface EvaluationJobOptions extends JobHostOptions {
  readonly instances: readonly BenchInstance[];
  readonly responses: ResponsesFile;
  readonly judge: TextModel;
  /** Judge runs over the whole bench (the paper averages 3). Default 1. */
  readonly runs?: number | undefined;
  readonly template?: JudgeTemplate | undefined;
  readonly systemPrompt?: string | undefined;
  /** Calls per item when replies have no score. Default 5, as the original. */
  readonly maxAttempts?: number | undefined;
  /** Computes the summary's intervals; default in this thread. */
  readonly intervals?: IntervalsComputer | undefined;
}

export interface EvaluationJobResult extends JobOutcome {
  readonly summary: EvaluationSummary;
  /** 95% bootstrap intervals of the summary's means (instances resampled), as the summary file stores them. */
  readonly intervals: IntervalsJson;
  readonly records: readonly JudgeRecord[];
  /** Bench ids the responses file has no response for (their items are missing). */
  readonly missingResponses: readonly string[];
  /** Files written: the evaluation file(s) and the summary. */
  readonly files: { readonly evaluations: readonly string[]; readonly summary: string };
}

/** `out` for one run; `<stem>.run1<ext>`, `<stem>.run2<ext>`, ... for several; the summary beside. */
export function evaluationOutputs(outFile: string, runs: number): { evaluations: string[]; summary: string } {
  const ext = path.extname(outFile) || '.json';
  const stem = outFile.slice(0, outFile.length - path.extname(outFile).length);
  return {
    evaluations: runs === 1 ? [outFile] : Array.from({ length: runs }, (_, r) => `${stem}.run${r + 1}${ext}`),
    summary: `${stem}.summary${ext}`,
  };
}

/** The checkpoint key of one judged rubric item. */
export function judgeUnitKey(run: number, id: string, rubricIndex: number): string {
  return `${run}/${id}/${rubricIndex}`;
}

/** Everything that decides a judge reply; a checkpoint line or cache entry with another one is stale. */
export function judgeFingerprint(identity: string, system: string, prompt: string, run: number): string {
  // The run number is part of the key: run 2 is a fresh judge sample, not a repeat of run 1.
  return hashKey([identity, system, prompt, run]);
}

/**
 * Recognises a `JudgeRecord` read back from a checkpoint. An unscored record with an empty reply
 * is a failure some earlier version recorded (a server that ignored `stream`), not a judgement:
 * refused, so a rerun asks again.
 */
export function acceptRecord(value: unknown): JudgeRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<JudgeRecord>;
  const scoreOk = (v.score === null && typeof v.reply === 'string' && v.reply.trim() !== '') || (typeof v.score === 'number' && Number.isInteger(v.score) && v.score >= 1 && v.score <= 5);
  return typeof v.id === 'string' && typeof v.run === 'number' && typeof v.rubricIndex === 'number' && scoreOk && typeof v.feedback === 'string' && typeof v.reply === 'string'
    ? (value as JudgeRecord)
    : undefined;
}

/** A record read back from the checkpoint line of `key`: one that claims another item is refused. */
export function acceptRecordFor(value: unknown, key: string): JudgeRecord | undefined {
  const record = acceptRecord(value);
  return record && judgeUnitKey(record.run, record.id, record.rubricIndex) === key ? record : undefined;
}

function addUsage(total: TokenUsage | undefined, usage: TokenUsage | undefined): TokenUsage | undefined {
  if (!usage) return total;
  return { promptTokens: (total?.promptTokens ?? 0) + usage.promptTokens, completionTokens: (total?.completionTokens ?? 0) + usage.completionTokens };
}

function judgeUnits(options: EvaluationJobOptions, runs: number): JobUnit<JudgeRecord>[] {
  const template = options.template ?? defaultJudgeTemplate;
  const system = options.systemPrompt ?? defaultJudgeSystemPrompt;
  const maxAttempts = options.maxAttempts ?? 5;
  const { judge, scheduler, cache } = options;
  const units: JobUnit<JudgeRecord>[] = [];
  for (let run = 0; run < runs; run++) {
    for (const instance of options.instances) {
      const response = entryFor(options.responses, instance.id)?.response;
      if (response === undefined) continue;
      instance.rubrics.forEach((rubric, rubricIndex) => {
        // Rendered again when the call is made rather than kept: 11k judge prompts of a 3-run
        // bench would hold ~100 MB for nothing.
        const render = (): string => renderJudgePrompt(template, { instruction: instance.prompt, response, referenceAnswer: instance.reference_answer, rubric });
        // Lazy: a fresh run (no checkpoint to match) renders and hashes each prompt once, when sent.
        let known: string | undefined;
        const fingerprintOf = (prompt?: string): string => (known ??= judgeFingerprint(judge.identity, system, prompt ?? render(), run));
        const base = { run, id: instance.id, rubricIndex };
        units.push({
          key: judgeUnitKey(run, instance.id, rubricIndex),
          get fingerprint() {
            return fingerprintOf();
          },
          async run(signal) {
            const prompt = render();
            const fingerprint = fingerprintOf(prompt);
            const cached = cache?.get(fingerprint);
            if (cached) {
              const parsed = parseJudgeReply(cached.text);
              if (parsed.score !== null) return { result: { ...base, ...parsed, reply: cached.text, attempts: 0 }, reused: true };
            }
            const input = { system, prompt };
            let usage: TokenUsage | undefined;
            let reply = '';
            for (let attempt = 1; attempt <= maxAttempts; attempt++) {
              const completion = await completeScheduled(scheduler, judge, input, signal);
              usage = addUsage(usage, completion.usage);
              reply = completion.text;
              const parsed = parseJudgeReply(reply);
              if (parsed.score !== null) {
                await cache?.put(fingerprint, { text: reply, usage: completion.usage });
                return { result: { ...base, ...parsed, reply, attempts: attempt }, usage };
              }
              options.logger?.debug(`${instance.id} rubric ${rubricIndex + 1}: no score in the reply (attempt ${attempt} of ${maxAttempts})`);
            }
            // Empty replies are no judgement: fail the item (not checkpointed), so a rerun asks again.
            if (reply.trim() === '') throw new UserFacingError(`The judge sent ${maxAttempts} empty replies for ${instance.id} rubric ${rubricIndex + 1}; run again to retry it.`);
            return { result: { ...base, score: null, feedback: reply.trim(), reply, attempts: maxAttempts }, usage };
          },
        });
      });
    }
  }
  return units;
}

/** The evaluation file of one run in the original shape; unscored items are `null` with the reply as feedback. */
export function evaluationFileForRun(instances: readonly BenchInstance[], responses: ResponsesFile, records: readonly JudgeRecord[], run: number): EvaluationFile {
  const byKey = new Map(records.filter((r) => r.run === run).map((r) => [`${r.id}/${r.rubricIndex}`, r]));
  const file: EvaluationFile = idRecord();
  for (const instance of instances) {
    const response = entryFor(responses, instance.id)?.response;
    if (response === undefined) continue;
    const judged = instance.rubrics.map((_, i) => byKey.get(`${instance.id}/${i}`));
    file[instance.id] = evaluationEntry(
      instance,
      response,
      judged.map((r) => (r === undefined ? '' : r.score === null ? r.reply : r.feedback)),
      judged.map((r) => r?.score ?? null),
    );
  }
  return file;
}

export async function runEvaluationJob(options: EvaluationJobOptions): Promise<EvaluationJobResult> {
  return withRunLock(options.outFile, options.logger, () => evaluate(options));
}

async function evaluate(options: EvaluationJobOptions): Promise<EvaluationJobResult> {
  const runs = options.runs ?? 1;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a positive integer, not ${runs}`);
  const missingResponses = missingResponsesOf(options.instances, options.responses);
  const outcome = await runUnits({ ...options, units: judgeUnits(options, runs), acceptResult: acceptRecordFor });
  const records = [...outcome.results.values()];
  const { summary, intervals, files } = await writeEvaluationOutputs({ ...options, runs, records, judgeIdentity: options.judge.identity, missingResponses });
  return { summary, intervals, records, missingResponses, failures: outcome.failures, cancelled: outcome.cancelled, stoppedBy: outcome.stoppedBy, progress: outcome.progress, files };
}

/** The evaluation file of each run and the summary beside them, from the judged records (live or batch). */
export async function writeEvaluationOutputs(options: {
  readonly instances: readonly BenchInstance[];
  readonly responses: ResponsesFile;
  readonly records: readonly JudgeRecord[];
  readonly runs: number;
  readonly outFile: string;
  readonly judgeIdentity: string;
  readonly missingResponses: readonly string[];
  readonly intervals?: IntervalsComputer | undefined;
}): Promise<{ summary: EvaluationSummary; intervals: IntervalsJson; files: EvaluationJobResult['files'] }> {
  const { instances, responses, records, runs } = options;
  const summary = summarize(instances, records, runs);
  const files = evaluationOutputs(options.outFile, runs);
  for (let run = 0; run < runs; run++) {
    const file = files.evaluations[run];
    if (file !== undefined) await writeResultFile(file, evaluationFileForRun(instances, responses, records, run));
  }
  const { perInstance: _perInstance, ...overview } = summary;
  const intervals = await (options.intervals ?? computeIntervalsHere)(instances, summary);
  await writeFileAtomic(files.summary, `${JSON.stringify({ ...overview, intervals, judge: JSON.parse(options.judgeIdentity) as unknown, runs, missingResponses: options.missingResponses }, null, 2)}\n`);
  return { summary, intervals, files };
}
