import * as vscode from 'vscode';
import { UserFacingError } from '../../core/errors';
import { openCallCache } from '../../core/jobs/callCache';
import type { ResponseSampler } from '../../core/jobs/generationJob';
import { runGenerationJob } from '../../core/jobs/generationJob';
import { bestOfNSampler } from '../../core/jobs/bestOfNSampler';
import type { TextModel } from '../../core/jobs/textModel';
import { endpointTextModel } from '../../core/jobs/textModel';
import type { BenchInstance } from '../../core/bench/benchSchema';
import type { BenchJobArgs } from '../bench/jobSupport';
import { chooseRun, jobPrices, jobScheduler, openBench, parseBenchJobArgs, withJobProgress } from '../bench/jobSupport';
import { folderOf, runsRoot, saveRunRecord } from '../bench/runRecords';
import type { JanusContext } from '../context';
import { reportError } from '../notify';

export interface GenerateBenchResult {
  readonly runDir: string;
  readonly output: string;
  readonly generated: number;
  readonly total: number;
  readonly cancelled: boolean;
}

/** A file-name-safe model name for `<model>_responses.json`. */
export function responsesModelName(model: string): string {
  const last = model.split('/').pop() ?? '';
  return last.replace(/[^\w.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'janus';
}

/**
 * Janus: Generate Responses for Bench: the generator answers every instance (its system message
 * and prompt) into `<model>_responses.json` in a run folder, checkpointed and resumable.
 */
export async function generateBenchResponses(ctx: JanusContext, rawArgs?: unknown): Promise<GenerateBenchResult | undefined> {
  const args = parseBenchJobArgs(rawArgs);
  const { document, parsed } = await openBench(ctx, args?.uri);
  const client = await ctx.clients.get('generator');
  if (!client) {
    void reportError(ctx.log, 'Generate Responses for Bench', new UserFacingError('No generator endpoint is configured: set janus.generator.baseUrl.'));
    return undefined;
  }
  const root = runsRoot(document.uri);
  const ids = args?.ids;
  const instances = ids ? parsed.instances.filter((i) => ids.includes(i.id)) : parsed.instances;
  if (instances.length === 0) throw new UserFacingError(`Instance ${ids?.join(', ') ?? ''} has problems; fix them before generating.`);
  const n = await candidatesPerInstance(ctx, args);
  if (n === undefined) return undefined;
  const generator = n === 1 ? endpointTextModel(client) : await bestOfNGenerator(ctx, instances, n);
  const record = await chooseRun(root, { kind: 'generate', bench: document.uri.fsPath, model: generator.identity, runs: 1, ids }, `${responsesModelName(client.profile.model)}${n > 1 ? `_best${n}` : ''}_responses.json`, args?.resume);
  if (!record) return undefined;
  const folder = folderOf(root, record);
  const cache = await openCallCache(folder.cache);
  const result = await withJobProgress(ctx, `Janus: generating responses for ${instances.length} instances${n > 1 ? ` (best of ${n})` : ''}`, 'responses', (signal, onProgress) =>
    runGenerationJob({ instances, generator, scheduler: jobScheduler(ctx.config.settings), outFile: folder.output, checkpointFile: folder.checkpoint, cache, signal, onProgress, prices: jobPrices(ctx.config.settings), logger: ctx.log }),
    { bench: document.uri, kind: 'generate', ids },
  );
  const generated = Object.keys(result.responses).length;
  const finished = !result.cancelled && result.stoppedBy === undefined && generated === instances.length;
  if (finished) await saveRunRecord(root, { ...record, finished: true });
  if (result.stoppedBy) {
    void reportError(ctx.log, 'Generate Responses for Bench', new UserFacingError(`Generation stopped: ${result.stoppedBy.message} Finished responses are kept; run the command again to resume.`, { cause: result.stoppedBy }));
  } else if (!finished) {
    void vscode.window.showWarningMessage(`Generation ${result.cancelled ? 'cancelled' : 'incomplete'}: ${generated} of ${instances.length} responses. Run Generate Responses for Bench again and choose Resume to finish.`);
  } else {
    void vscode.window.showInformationMessage(`Generated ${generated} responses into ${vscode.workspace.asRelativePath(folder.output)}.`, 'Evaluate Bench', 'Open File').then((choice) => {
      if (choice === 'Evaluate Bench') void vscode.commands.executeCommand('janus.evaluateBench', { uri: document.uri.toString(), responses: folder.output });
      if (choice === 'Open File') void vscode.window.showTextDocument(vscode.Uri.file(folder.output));
    });
  }
  return { runDir: folder.dir, output: folder.output, generated, total: instances.length, cancelled: result.cancelled };
}

/** 1, or N from `janus.bestOfN.n` when the user picks Best-of-N (asked only when N > 1). */
async function candidatesPerInstance(ctx: JanusContext, args: BenchJobArgs): Promise<number | undefined> {
  if (args?.n !== undefined) return args.n;
  const n = ctx.config.settings['bestOfN.n'];
  if (n <= 1) return 1;
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'One response per instance', n: 1 },
      { label: `Best of ${n}`, description: 'janus.bestOfN.n candidates each, the highest reward kept', n },
    ],
    { title: 'Janus: Generate Responses for Bench' },
  );
  return picked?.n;
}

/**
 * Best-of-N per instance with the scorer `janus.reward.kind` gives; a judge fallback grades with
 * the instance's own rubrics (found by its system message).
 */
async function bestOfNGenerator(ctx: JanusContext, instances: readonly BenchInstance[], n: number): Promise<TextModel | ResponseSampler> {
  const bySystem = new Map(instances.map((i) => [i.system, i.rubrics]));
  const setup = await ctx.bestOfNResources.setup(n, (system) => bySystem.get(system), new AbortController().signal);
  if (!setup.scorer) throw new UserFacingError(`Best of ${n} needs a reward model (janus.reward.baseUrl) or a judge (janus.judge.baseUrl) to rank the candidates.`);
  return bestOfNSampler({ generator: setup.generator, n, scorer: setup.scorer, capabilities: setup.capabilities });
}
