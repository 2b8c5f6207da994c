import * as vscode from 'vscode';
import type { CommandId } from '../constants';
import { commandIds } from '../constants';
import type { JanusContext } from '../context';
import { reportError } from '../notify';
import { generateBestOfN, openBestOfNSession } from './bestOfN';
import { exportEvaluationSummary, selectEvaluationResults, showEvaluationFeedback } from './benchResults';
import { checkEndpoints } from './checkEndpoints';
import { compareEvaluationRunsCommand } from './compareRuns';
import { comparePersonasCommand } from './comparePersonas';
import { evaluateBench } from './evaluateBench';
import { batchEvaluations } from '../bench/batchEvaluations';
import { exportPreferencePairs } from './exportPairs';
import { generate } from './generate';
import { generateBenchResponses } from './generateBenchResponses';
import { openParquetBench } from './openParquetBench';
import { draftRubrics, newPersona, selectActivePersona, synthesizeSystemMessage } from './persona';
import { installLocalEngineRuntime, startLocalEngine, stopLocalEngine } from './localEngine';
import { scoreDocument } from './scoreDocument';
import { setApiKey } from './setApiKey';

type CommandHandler = (ctx: JanusContext, ...args: unknown[]) => unknown;

/** Every command the manifest contributes, and its handler. A test checks the two lists agree. */
export const commandTable: Readonly<Record<CommandId, CommandHandler>> = {
  [commandIds.generate]: (ctx, args) => generate(ctx, args),
  [commandIds.checkEndpoints]: (ctx) => checkEndpoints(ctx),
  [commandIds.setApiKey]: (ctx) => setApiKey(ctx),
  [commandIds.startLocalEngine]: (ctx) => startLocalEngine(ctx),
  [commandIds.stopLocalEngine]: (ctx) => stopLocalEngine(ctx),
  [commandIds.installLocalEngineRuntime]: (ctx) => installLocalEngineRuntime(ctx),
  [commandIds.showLog]: (ctx) => ctx.log.show(),
  [commandIds.newPersona]: (ctx, args) => newPersona(ctx, args),
  [commandIds.selectActivePersona]: (ctx) => selectActivePersona(ctx),
  [commandIds.synthesizeSystemMessage]: (ctx, args) => synthesizeSystemMessage(ctx, args),
  [commandIds.draftRubrics]: (ctx, args) => draftRubrics(ctx, args),
  [commandIds.generateBestOfN]: (ctx, args) => generateBestOfN(ctx, args),
  [commandIds.comparePersonas]: (ctx, args) => comparePersonasCommand(ctx, args),
  [commandIds.exportPreferencePairs]: (ctx, args) => exportPreferencePairs(ctx, args),
  [commandIds.openBestOfNSession]: (ctx, args) => openBestOfNSession(ctx, args),
  [commandIds.evaluateBench]: (ctx, args) => evaluateBench(ctx, args),
  [commandIds.showBatchEvaluations]: (ctx, args) => batchEvaluations(ctx).showDetails(args),
  [commandIds.generateBenchResponses]: (ctx, args) => generateBenchResponses(ctx, args),
  [commandIds.scoreDocument]: (ctx, args) => scoreDocument(ctx, args),
  [commandIds.selectEvaluationResults]: (ctx, args) => selectEvaluationResults(ctx, args),
  [commandIds.compareEvaluationRuns]: (ctx, args) => compareEvaluationRunsCommand(ctx, args),
  [commandIds.showEvaluationFeedback]: (ctx, uri, id) => showEvaluationFeedback(ctx, uri, id),
  [commandIds.exportEvaluationSummary]: (ctx, args) => exportEvaluationSummary(ctx, args),
  [commandIds.openParquetBench]: (ctx, args) => openParquetBench(ctx, args),
};

/** Registers the table; a handler that throws is reported instead of failing silently. */
export function registerCommands(ctx: JanusContext): void {
  for (const [id, handler] of Object.entries(commandTable)) {
    ctx.extension.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(ctx, ...args);
        } catch (error) {
          void reportError(ctx.log, `Command ${id}`, error);
          return undefined;
        }
      }),
    );
  }
}
