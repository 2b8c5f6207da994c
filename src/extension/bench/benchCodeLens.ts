import { readdir } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { BenchEntry, ParsedBench } from '../../core/bench/benchFile';
import { commandIds } from '../constants';
import type { BenchActivity } from './benchActivity';
import type { BenchDocuments } from './benchDocuments';
import { latestResponses, listRuns, runsRoot } from './runRecords';
import { meanInterval, meanWithInterval, pairedVerdict, verdictText } from './benchStats';
import type { DocumentScores } from './documentScores';
import type { BenchSelection, EvaluationResults } from './evaluationResults';
import type { InstanceResult } from './scoreFormat';
import { compareLensTitle, formatScore, lensTitle, rubricLabels } from './scoreFormat';

/** Lines around the visible ones that get lenses too, so scrolling a little shows them at once. */
const marginLines = 200;

/**
 * The lenses' own command (not in the palette, so not in the manifest): a running job's lens click,
 * with the bench's uri: Cancel or keep it running.
 */
export const benchJobCommand = 'janus.bench.liveJob';

/** The click on a live job's lens: its progress, and Cancel for the one picked. */
export async function showBenchJobs(activity: BenchActivity, uri: unknown): Promise<void> {
  const jobs = typeof uri === 'string' ? activity.jobsOf(vscode.Uri.parse(uri)) : [];
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage('No Janus job runs on this bench now.');
    return;
  }
  const items = jobs.map((job) => ({ label: `$(debug-stop) Cancel: ${job.title.replace(/^Janus: /, '')}`, description: `${job.done}/${job.total} done`, job }));
  const picked = await vscode.window.showQuickPick([...items, { label: '$(check) Keep Running', description: 'its progress notification shows rate, cost and ETA', job: undefined }], { title: 'Janus: the jobs running on this bench' });
  picked?.job?.cancel();
}

/** Where responses to judge are for a bench without results. */
type ResponsesFound = 'beside' | 'run' | 'partial' | 'none';

/** What the header says about the shown run, and whether instances are left to judge. */
/**
 * An instance is not evaluated when the run has no result for it or left a rubric unjudged (no
 * score and no reply: a cancelled or cut-short run), unscored when the judge replied without a score.
 */
function coverage(entries: readonly BenchEntry[], byId: ReadonlyMap<string, InstanceResult>): { mean: number | null; full: number; missing: number; unscored: number } {
  let sum = 0;
  let means = 0;
  let full = 0;
  let missing = 0;
  let unscored = 0;
  for (const entry of entries) {
    const result = byId.get(entry.id);
    if (!result || result.scores.some((score, i) => score === null && !result.feedback[i])) missing++;
    else if (result.scores.includes(null)) unscored++;
    else full++;
    if (result && result.mean !== null) {
      sum += result.mean;
      means++;
    }
  }
  return { mean: means === 0 ? null : sum / means, full, missing, unscored };
}

export function entryLabels(entry: BenchEntry, count: number): string[] {
  return rubricLabels(entry.instance?.preference_set?.map((p) => p.dimension) ?? [], count);
}

/** Lines around the visible ones that the first lenses of a large bench cover, before its parse ends (in JSONL a line is an instance). */
const previewMarginLines = 20;

/** The lines of `document` that visible editors show, widened by `margin`; undefined when none shows it. */
function visibleWindow(document: vscode.TextDocument, margin = marginLines): { from: number; to: number } | undefined {
  const ranges = vscode.window.visibleTextEditors.filter((e) => e.document === document).flatMap((e) => e.visibleRanges);
  if (ranges.length === 0) return undefined;
  return { from: Math.min(...ranges.map((r) => r.start.line)) - margin, to: Math.max(...ranges.map((r) => r.end.line)) + margin };
}

/**
 * Lenses above each bench instance (scores, Evaluate, Generate, Feedback) and above a document
 * scored against the persona. Reads the cached parse: a lens request on a large bench never parses
 * the whole file (it reads the visible instances while the parse runs in the background).
 */
export class BenchCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Per document, the lines the last lenses covered: scrolling past them asks for new ones. */
  private readonly windows = new Map<string, { from: number; to: number }>();
  /** Per bench without results: whether responses to judge exist (undefined while looking). */
  private readonly responses = new Map<string, { readonly found: ResponsesFound } | 'looking'>();
  private endedSeen = 0;

  constructor(
    private readonly documents: BenchDocuments,
    private readonly results: EvaluationResults,
    private readonly scores: DocumentScores,
    private readonly activity: BenchActivity,
  ) {
    // A responses file that appears or goes changes what a bench without results offers.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*_responses.json', false, true, false);
    const forget = (): void => {
      if (this.responses.size === 0) return;
      this.responses.clear();
      this.emitter.fire();
    };
    this.subscriptions = [
      this.emitter,
      watcher,
      watcher.onDidCreate(forget),
      watcher.onDidDelete(forget),
      results.onDidChange(() => {
        this.responses.clear();
        this.emitter.fire();
      }),
      activity.onDidChange(() => {
        // A job that ended may have written responses: looked up again (only for benches without results).
        if (this.activity.ended !== this.endedSeen) this.responses.clear();
        this.endedSeen = this.activity.ended;
        this.emitter.fire();
      }),
      scores.onDidChange(() => this.emitter.fire()),
      documents.onDidParse(() => this.emitter.fire()),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        const window = this.windows.get(e.textEditor.document.uri.toString());
        const first = e.visibleRanges[0];
        const last = e.visibleRanges[e.visibleRanges.length - 1];
        if (window && first && last && (first.start.line < window.from + marginLines / 2 || last.end.line > window.to - marginLines / 2)) this.emitter.fire();
      }),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const started = performance.now();
    const scored = this.scoredDocumentLenses(document);
    const parsed = this.documents.peek(document);
    let lenses = scored;
    if (parsed) lenses = [...scored, ...this.benchLenses(document, parsed.entries, parsed)];
    else if (this.documents.pending(document)) lenses = [...scored, ...this.previewLenses(document)];
    const timings = this.documents.timings.get(document.uri.toString());
    if (timings && timings.firstLensAt === undefined && lenses.length > 0) Object.assign(timings, { firstLensAt: performance.now(), firstLensMs: performance.now() - started });
    this.documents.busy(document, started);
    return lenses;
  }

  /**
   * While a large bench's parse runs: lenses for the visible instances (the top of the file when no
   * editor shows it), from reading only that far. The parse's end brings the full lenses.
   */
  private previewLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const window = visibleWindow(document, previewMarginLines) ?? { from: 0, to: 3 * previewMarginLines };
    const preview = this.documents.preview(document, window.from, window.to);
    return preview ? this.benchLenses(document, preview.entries, undefined) : [];
  }

  /** The header and the lenses of the entries near the visible lines; `parsed` undefined while only a preview is known. */
  private benchLenses(document: vscode.TextDocument, entries: readonly BenchEntry[], parsed: ParsedBench | undefined): vscode.CodeLens[] {
    const selection = this.results.get(document.uri);
    const window = visibleWindow(document);
    if (window) this.windows.set(document.uri.toString(), window);
    else this.windows.delete(document.uri.toString());
    const lenses: vscode.CodeLens[] = this.headerLenses(document, entries, parsed, selection);
    const uri = document.uri.toString();
    const evaluating = this.activity.evaluating(document.uri);
    for (const entry of entries) {
      if (window && (entry.range.endLine < window.from || entry.range.line > window.to)) continue;
      const range = new vscode.Range(entry.range.line, 0, entry.range.line, 0);
      const result = selection?.shown.byId.get(entry.id);
      if (result) {
        const labels = entryLabels(entry, result.scores.length);
        const title = selection?.base ? compareLensTitle(result, selection.base.byId.get(entry.id), labels) : lensTitle(result, labels);
        lenses.push(new vscode.CodeLens(range, { title, command: commandIds.showEvaluationFeedback, arguments: [uri, entry.id], tooltip: `Scores from ${selection?.shown.label ?? ''}: show the judge's feedback` }));
      } else if (selection) {
        lenses.push(new vscode.CodeLens(range, { title: 'not evaluated', command: '', tooltip: `${selection.shown.label} has no result for instance ${entry.id}` }));
      }
      if (evaluating.has(entry.id)) lenses.push(new vscode.CodeLens(range, { title: 'evaluating…', command: benchJobCommand, arguments: [uri], tooltip: `Instance ${entry.id} is being judged: click to cancel` }));
      else lenses.push(new vscode.CodeLens(range, { title: 'Evaluate', command: commandIds.evaluateBench, arguments: [{ uri, ids: [entry.id] }], tooltip: `Judge instance ${entry.id} on its rubrics` }));
      if (entry.instance) {
        lenses.push(new vscode.CodeLens(range, { title: 'Generate', command: commandIds.generate, arguments: [{ system: entry.instance.system, prompt: entry.instance.prompt }], tooltip: `Generate a response to instance ${entry.id} with its system message` }));
      }
      if (result) lenses.push(new vscode.CodeLens(range, { title: 'Feedback', command: commandIds.showEvaluationFeedback, arguments: [uri, entry.id] }));
    }
    return lenses;
  }

  /**
   * The header: instances, problems, the shown run (what it leaves out and how to go on), then a
   * lens per live whole-bench job and pending batch, with their progress.
   */
  private headerLenses(document: vscode.TextDocument, entries: readonly BenchEntry[], parsed: ParsedBench | undefined, selection: BenchSelection | undefined): vscode.CodeLens[] {
    const uri = document.uri.toString();
    const range = new vscode.Range(0, 0, 0, 0);
    const count = parsed ? `${parsed.entries.length} instance${parsed.entries.length === 1 ? '' : 's'}` : 'parsing…';
    const problems = parsed && parsed.problems.length > 0 ? ` · ${parsed.problems.length} problem${parsed.problems.length === 1 ? '' : 's'}` : '';
    const jobs = this.activity.jobsOf(document.uri).filter((j) => j.ids === undefined);
    const batches = this.activity.batchesOf(document.uri);
    const busy = jobs.length > 0 || batches.length > 0;
    const after: vscode.CodeLens[] = [];
    let shown = ' · no results yet';
    if (selection && parsed) {
      const c = coverage(entries, selection.shown.byId);
      const ids = entries.map((e) => e.id);
      const mean = meanWithInterval(meanInterval(ids, selection.shown.byId));
      const compare = selection.base ? ` vs ${selection.base.label}: ${verdictText(pairedVerdict(ids, selection.shown.byId, selection.base.byId))}` : '';
      const left = c.missing + c.unscored;
      if (left === 0) shown = ` · ${selection.shown.label}: ${mean}${compare}`;
      else {
        const gaps = `${c.missing > 0 ? ` · ${c.missing} not evaluated` : ''}${c.unscored > 0 ? ` · ${c.unscored} unscored` : ''}`;
        const judged = c.full + c.unscored;
        shown = judged === 0 ? ` · ${selection.shown.label}: none of ${entries.length} evaluated${compare}` : ` · ${selection.shown.label}: ${mean} over ${judged} of ${entries.length}${compare}${gaps}`;
        if (!busy) {
          after.push(new vscode.CodeLens(range, {
            title: 'Resume',
            command: commandIds.evaluateBench,
            arguments: [{ uri, responses: selection.shown.responses, resume: true }],
            tooltip: `Judge the ${left} instance${left === 1 ? '' : 's'} left${selection.shown.responses ? ` of ${path.basename(selection.shown.responses)}` : ''}: an unfinished run with the same inputs resumes without repeating its finished calls`,
          }));
        }
      }
    } else if (selection) {
      // A preview of a large bench: the count (and so what is left) is known once the parse ends.
      const means = [...selection.shown.byId.values()].flatMap((r) => (r.mean === null ? [] : [r.mean]));
      shown = ` · ${selection.shown.label}: mean ${formatScore(means.length === 0 ? null : means.reduce((a, b) => a + b, 0) / means.length)}${selection.base ? ` vs ${selection.base.label}` : ''}`;
    } else if (!busy && document.uri.scheme === 'file') {
      const found = this.responsesOf(document.uri);
      if (found === 'none') {
        shown = ' · no results yet (no responses to judge)';
        after.push(new vscode.CodeLens(range, { title: 'Generate Responses', command: commandIds.generateBenchResponses, arguments: [{ uri }], tooltip: 'No <model>_responses.json beside the bench or in its runs: generate them with the generator endpoint' }));
      } else if (found === 'partial') {
        shown = ' · no results yet (responses unfinished)';
        after.push(new vscode.CodeLens(range, { title: 'Resume Generation', command: commandIds.generateBenchResponses, arguments: [{ uri, resume: true }], tooltip: 'A Generate Responses run for this bench stopped before the end: finish it without repeating what it generated' }));
      } else if (found !== undefined) {
        after.push(new vscode.CodeLens(range, { title: 'Evaluate Bench', command: commandIds.evaluateBench, arguments: [{ uri }], tooltip: 'Judge responses to this bench on its rubrics' }));
      }
    }
    const lenses = [new vscode.CodeLens(range, { title: `Janus bench · ${count}${problems}${shown}`, command: commandIds.selectEvaluationResults, arguments: [{ uri }], tooltip: 'Select the evaluation results to show, or two runs to compare' })];
    for (const job of jobs) {
      const verb = job.kind === 'evaluate' ? 'evaluating' : 'generating';
      lenses.push(new vscode.CodeLens(range, { title: job.total === 0 ? `${verb}…` : `${verb} ${job.done}/${job.total}`, command: benchJobCommand, arguments: [uri], tooltip: `${job.title}: click to cancel (its progress notification shows rate, cost and ETA)` }));
    }
    for (const batch of batches) {
      lenses.push(new vscode.CodeLens(range, { title: `batch ${batch.status}`, command: commandIds.showBatchEvaluations, arguments: [{ stateFile: batch.stateFile }], tooltip: 'A Batch API evaluation of this bench is pending: click for its details or to cancel it' }));
    }
    return [...lenses, ...after];
  }

  /** Where responses to judge are for a bench without results: looked up once (async), then the lenses refresh. */
  private responsesOf(bench: vscode.Uri): ResponsesFound | undefined {
    const key = bench.toString();
    const known = this.responses.get(key);
    if (known === 'looking') return undefined;
    if (known) return known.found;
    this.responses.set(key, 'looking');
    void findResponses(bench).then(
      (found) => {
        if (this.responses.get(key) !== 'looking') return;
        this.responses.set(key, { found });
        this.emitter.fire();
      },
      () => this.responses.delete(key),
    );
    return undefined;
  }

  private scoredDocumentLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const score = this.scores.get(document.uri);
    if (!score) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    const stale = score.version === document.version ? '' : ' (edited since)';
    return [
      new vscode.CodeLens(range, { title: `${score.persona}: ${lensTitle(score.result, score.labels)}${stale}`, command: commandIds.showEvaluationFeedback, arguments: [document.uri.toString()] }),
      new vscode.CodeLens(range, { title: 'Feedback', command: commandIds.showEvaluationFeedback, arguments: [document.uri.toString()] }),
      new vscode.CodeLens(range, { title: 'Score Again', command: commandIds.scoreDocument, arguments: [{ uri: document.uri.toString() }] }),
    ];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}

/** Responses to judge for a bench: `*_responses.json` beside it, a finished generation run, an unfinished one, or none. */
async function findResponses(bench: vscode.Uri): Promise<ResponsesFound> {
  const beside = await readdir(path.dirname(bench.fsPath)).catch(() => [] as string[]);
  if (beside.some((n) => n.endsWith('_responses.json'))) return 'beside';
  const root = runsRoot(bench);
  if (await latestResponses(root, bench.fsPath)) return 'run';
  return (await listRuns(root)).some((r) => r.kind === 'generate' && r.bench === bench.fsPath) ? 'partial' : 'none';
}
