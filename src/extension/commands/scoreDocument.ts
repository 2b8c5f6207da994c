import * as vscode from 'vscode';
import * as z from 'zod';
import { UserFacingError, isAbortError } from '../../core/errors';
import { completeScheduled, endpointTextModel } from '../../core/jobs/textModel';
import { parseJudgeReply } from '../../core/judge/scoreParser';
import { defaultJudgeSystemPrompt, noReferenceJudgeTemplate, renderJudgePrompt } from '../../core/prompts/judgePrompt';
import { jobScheduler, withJobProgress } from '../bench/jobSupport';
import type { InstanceResult } from '../bench/scoreFormat';
import { instanceResult, rubricLabels } from '../bench/scoreFormat';
import { commandIds } from '../constants';
import type { JanusContext } from '../context';
import { reportError } from '../notify';

const argsSchema = z.object({ uri: z.string().optional() }).optional();

/** Calls per rubric when the judge's reply has no score, as for the bench (fewer: the user waits). */
const maxAttempts = 3;

/**
 * Janus: Score Document Against Persona: the judge grades the whole document on each of the
 * active persona's rubrics (no reference answer); the scores go to a lens at the top.
 */
export async function scoreDocument(ctx: JanusContext, rawArgs?: unknown): Promise<InstanceResult | undefined> {
  const parsedArgs = argsSchema.safeParse(rawArgs);
  const uri = parsedArgs.success ? parsedArgs.data?.uri : undefined;
  const document = uri === undefined ? vscode.window.activeTextEditor?.document : await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  if (!document) throw new UserFacingError('Open the document to score first.');
  if (document.getText().trim() === '') throw new UserFacingError('The document is empty: there is nothing to score.');
  const active = await ctx.personas.read();
  if (!active) {
    const choice = await vscode.window.showWarningMessage('No active persona: its rubrics are what the document is scored on.', 'Select Active Persona');
    if (choice) await vscode.commands.executeCommand(commandIds.selectActivePersona);
    return undefined;
  }
  const { persona } = active;
  const rubrics = persona.rubrics ?? [];
  if (rubrics.length === 0) {
    const choice = await vscode.window.showWarningMessage(`The persona ${persona.name} has no rubrics to score against.`, 'Draft Rubrics for Persona');
    if (choice) await vscode.commands.executeCommand(commandIds.draftRubrics, { uri: active.uri.toString() });
    return undefined;
  }
  const client = await ctx.clients.get('judge');
  if (!client) {
    void reportError(ctx.log, 'Score Document', new UserFacingError('No judge endpoint is configured: set janus.judge.baseUrl (and janus.judge.model).'));
    return undefined;
  }
  const judge = endpointTextModel(client);
  const scheduler = jobScheduler(ctx.config.settings);
  const version = document.version;
  const text = document.getText();
  const judging = withJobProgress(ctx, `Janus: scoring against ${persona.name}`, 'rubrics', async (signal, onProgress) => {
    let done = 0;
    const started = Date.now();
    const report = (): void => onProgress({ done, total: rubrics.length, reused: 0, failed: 0, elapsedMs: Date.now() - started, ratePerSecond: 0, promptTokens: 0, completionTokens: 0, etaMs: undefined, cost: undefined });
    report();
    return Promise.all(
      rubrics.map(async (rubric) => {
        // The persona's system message stands in for the instruction: it is what the text should serve.
        const prompt = renderJudgePrompt(noReferenceJudgeTemplate, { instruction: persona.system, response: text, referenceAnswer: '', rubric });
        let reply = '';
        for (let attempt = 1; attempt <= maxAttempts && !signal.aborted; attempt++) {
          reply = (await completeScheduled(scheduler, judge, { system: defaultJudgeSystemPrompt, prompt }, signal)).text;
          const parsed = parseJudgeReply(reply);
          if (parsed.score !== null) {
            done++;
            report();
            return parsed;
          }
        }
        done++;
        report();
        return { score: null, feedback: reply.trim() };
      }),
    );
  });
  let judged: Awaited<typeof judging>;
  try {
    judged = await judging;
  } catch (error) {
    // Cancel aborts the calls in flight: nothing to score, and nothing to report.
    if (isAbortError(error)) return undefined;
    throw error;
  }
  const result = instanceResult(
    judged.map((j) => j.score),
    judged.map((j) => j.feedback),
  );
  const labels = rubricLabels(persona.preference_set.map((p) => p.dimension), rubrics.length);
  ctx.bench.scores.set(document.uri, { persona: persona.name, labels, result, version });
  return result;
}
