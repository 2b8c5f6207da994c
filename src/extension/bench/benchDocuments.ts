import * as vscode from 'vscode';
import { reparseEdit } from '../../core/bench/benchEdit';
import type { ParsedBench } from '../../core/bench/benchFile';
import { detectBenchFormat } from '../../core/bench/benchFile';
import type { BenchParseState, BenchPreview, BenchSteps } from '../../core/bench/benchSteps';
import { benchParseSteps, previewBench, runSteps } from '../../core/bench/benchSteps';

/** JSON and JSONL documents are candidates; whether they are benches is decided by content. */
export const benchSelector: vscode.DocumentSelector = [
  { language: 'json' },
  { language: 'jsonc' },
  { language: 'jsonl' },
  { pattern: '**/*.jsonl' },
];

export function mayBeBench(document: vscode.TextDocument): boolean {
  return vscode.languages.match(benchSelector, document) > 0;
}

/** Up to this many characters a parse takes a few milliseconds: it runs at once, as it always did. */
const syncLimit = 512 * 1024;
/** How long one slice of a background parse may hold the extension host before it yields. */
const sliceMs = 8;
/** Stretches of work kept per document: the open and the first parses, not a whole editing session. */
const maxStretches = 2000;
/** Enough of the document's start to recognise a bench (detection reads 256 KB after leading space). */
const headChars = 512 * 1024;

/** Timestamps (`performance.now()`) and our own busy time for one document, for the measurements. */
export interface BenchTimings {
  openedAt?: number;
  firstLensAt?: number;
  firstLensMs?: number;
  parseStartedAt?: number;
  parsedAt?: number;
  /** Time in our code for the parse (getText included), without the yields between slices. */
  parseBusyMs?: number;
  getTextMs?: number;
  longestSliceMs?: number;
  /** Every stretch our bench code held the extension host for this document: [start, end]. */
  readonly busy: [number, number][];
}

interface ParseJob {
  readonly version: number;
  steps?: BenchSteps;
  /** Set when the job stops early: the document changed, closed, or `get` finished its steps. */
  stopped: boolean;
  readonly done: Promise<BenchParseState | undefined>;
}

interface CacheEntry {
  readonly version: number;
  /** Whether this version is a bench; undefined until asked. */
  bench?: boolean;
  /** The whole-file parse of this version, once done. */
  state?: BenchParseState;
  job?: ParseJob | undefined;
}

function documentLength(document: vscode.TextDocument): number {
  return document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Parses of the open bench documents, one per document version: lenses, hovers, decorations and
 * diagnostics all read the same parse. A large bench (over `syncLimit`) is never parsed on the
 * open path: its parse runs in slices that yield to the extension host, lenses meanwhile come from
 * `preview` (the visible instances only), and an edit inside one instance re-parses only that one.
 */
export class BenchDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly emitter = new vscode.EventEmitter<vscode.TextDocument>();
  /** A background parse finished: what waited for it (lenses, decorations, Problems) can update. */
  readonly onDidParse = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];
  /** How many whole-file parses ran (the integration suites check lenses do not reparse). */
  parses = 0;
  /** Edits handled by re-parsing only the edited instance. */
  reparses = 0;
  lastParseMs = 0;
  readonly timings = new Map<string, BenchTimings>();

  constructor() {
    this.subscriptions = [
      this.emitter,
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (mayBeBench(d)) this.timings.set(d.uri.toString(), { openedAt: performance.now(), busy: [] });
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        const key = d.uri.toString();
        this.stop(this.cache.get(key));
        this.cache.delete(key);
        this.timings.delete(key);
      }),
    ];
  }

  /** The bench parse of this version of the document, or undefined when it is not a bench; parses now if needed. */
  get(document: vscode.TextDocument): ParsedBench | undefined {
    const entry = this.entry(document);
    if (!entry?.bench) return undefined;
    if (entry.state) return entry.state.parsed;
    const started = performance.now();
    const job = entry.job;
    // A running background parse is finished here, in one go, rather than started over.
    const steps = job?.steps ?? benchParseSteps(document.getText());
    if (job) job.stopped = true;
    entry.job = undefined;
    entry.state = runSteps(steps);
    this.parses++;
    this.lastParseMs = performance.now() - started;
    this.busy(document, started);
    return entry.state.parsed;
  }

  /**
   * The parse of this version if it is ready (a small document is parsed now); else undefined, and
   * a large bench's background parse is under way (`pending` tells that apart from "not a bench").
   */
  peek(document: vscode.TextDocument): ParsedBench | undefined {
    const entry = this.entry(document);
    if (!entry?.bench) return undefined;
    if (entry.state) return entry.state.parsed;
    if (documentLength(document) <= syncLimit) return this.get(document);
    entry.job ??= this.start(document, entry);
    return undefined;
  }

  /** True while this version of a large bench waits for its background parse. */
  pending(document: vscode.TextDocument): boolean {
    const entry = this.cache.get(document.uri.toString());
    return entry?.version === document.version && entry.bench === true && !entry.state;
  }

  /** The parse of this version once ready (undefined when it is not a bench or changed meanwhile). */
  async parsed(document: vscode.TextDocument): Promise<ParsedBench | undefined> {
    const now = this.peek(document);
    if (now || !this.pending(document)) return now;
    const state = await this.cache.get(document.uri.toString())?.job?.done;
    return state?.parsed ?? (this.pending(document) ? undefined : this.peek(document));
  }

  /**
   * The instances overlapping lines `from` to `to`, read from the document's start only as far as
   * they go: what lenses show while a large bench's parse runs.
   */
  preview(document: vscode.TextDocument, from: number, to: number): BenchPreview | undefined {
    const entry = this.entry(document);
    if (!entry?.bench) return undefined;
    const started = performance.now();
    const length = documentLength(document);
    const fromOffset = document.offsetAt(new vscode.Position(Math.max(0, from), 0));
    const toOffset = document.offsetAt(document.lineAt(Math.min(document.lineCount - 1, Math.max(0, to))).range.end);
    let read = Math.min(length, toOffset + 4096);
    let preview: BenchPreview | undefined;
    for (;;) {
      preview = previewBench(document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(read))), fromOffset, toOffset);
      // An instance that starts in the range runs past what was read: read further.
      if (!preview || preview.complete || read >= length) break;
      read = Math.min(length, read * 2);
    }
    this.busy(document, started);
    return preview;
  }

  /** Records a stretch of our work on this document (for the open-to-lenses measurement; the first ones are enough). */
  busy(document: vscode.TextDocument, started: number): void {
    const busy = this.timings.get(document.uri.toString())?.busy;
    if (busy && busy.length < maxStretches) busy.push([started, performance.now()]);
  }

  /** The cache entry of this version, with whether it is a bench decided (from its first 512 KB). */
  private entry(document: vscode.TextDocument): CacheEntry | undefined {
    if (!mayBeBench(document)) return undefined;
    const key = document.uri.toString();
    let entry = this.cache.get(key);
    if (entry?.version !== document.version) {
      this.stop(entry);
      entry = { version: document.version };
      this.cache.set(key, entry);
    }
    if (entry.bench === undefined) {
      const started = performance.now();
      const head = document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(headChars)));
      const start = head.search(/\S/);
      // Detection reads 256 KB from the first non-space: the head holds them unless that starts late.
      const text = head.length < headChars || (start >= 0 && start + headChars / 2 <= head.length) ? head : document.getText();
      entry.bench = detectBenchFormat(text) !== undefined;
      this.busy(document, started);
    }
    return entry;
  }

  private start(document: vscode.TextDocument, entry: CacheEntry): ParseJob {
    const timings = this.timings.get(document.uri.toString());
    const job: ParseJob = { version: entry.version, stopped: false, done: Promise.resolve(undefined) };
    const run = async (): Promise<BenchParseState | undefined> => {
      // Whatever asked (the open, a lens request) finishes first.
      await turn();
      if (job.stopped) return undefined;
      if (timings) timings.parseStartedAt = performance.now();
      // One getText: the extension host joins the lines once per version and keeps the string
      // (the JSON language client has often asked for it already); reading in parts costs more.
      let started = performance.now();
      const steps = benchParseSteps(document.getText());
      job.steps = steps;
      let busyMs = performance.now() - started;
      let longest = busyMs;
      if (timings) timings.getTextMs = busyMs;
      this.busy(document, started);
      for (;;) {
        await turn();
        if (job.stopped) return undefined;
        started = performance.now();
        let next = steps.next();
        while (!next.done && performance.now() - started < sliceMs) next = steps.next();
        const took = performance.now() - started;
        this.busy(document, started);
        busyMs += took;
        longest = Math.max(longest, took);
        if (!next.done) continue;
        entry.state = next.value;
        entry.job = undefined;
        this.parses++;
        this.lastParseMs = busyMs;
        if (timings) Object.assign(timings, { parsedAt: performance.now(), parseBusyMs: busyMs, longestSliceMs: longest });
        this.emitter.fire(document);
        return next.value;
      }
    };
    return Object.assign(job, { done: run() });
  }

  private stop(entry: CacheEntry | undefined): void {
    if (entry?.job) entry.job.stopped = true;
  }

  /** An edit inside one instance of a parsed bench re-parses that instance only; any other edit waits for a new parse. */
  private changed(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    const entry = this.cache.get(key);
    if (!entry || entry.version === e.document.version) return;
    this.stop(entry);
    const change = e.contentChanges.length === 1 ? e.contentChanges[0] : undefined;
    let state: BenchParseState | undefined;
    if (entry.state && change) {
      const document = e.document;
      const started = performance.now();
      const slice = (from: number, to: number): string => document.getText(new vscode.Range(document.positionAt(from), document.positionAt(to)));
      state = reparseEdit(entry.state, { offset: change.rangeOffset, length: change.rangeLength, text: change.text }, slice);
      if (state) this.reparses++;
      this.busy(document, started);
    }
    // An edit near the start may change whether this is a bench at all: decide again.
    const bench = state && change && change.rangeOffset >= headChars ? true : undefined;
    this.cache.set(key, { version: e.document.version, ...(bench ? { bench } : {}), ...(state ? { state } : {}) });
  }

  dispose(): void {
    for (const entry of this.cache.values()) this.stop(entry);
    for (const d of this.subscriptions) d.dispose();
    this.cache.clear();
  }
}
