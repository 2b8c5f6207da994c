import * as vscode from 'vscode';
import type { ParsedBench } from '../../core/bench/benchFile';
import { detectBenchFormat, parseBenchText } from '../../core/bench/benchFile';

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

interface CacheEntry {
  readonly version: number;
  readonly parsed: ParsedBench | undefined;
}

/**
 * Parses of the open bench documents, one per document version: lenses, hovers, decorations and
 * diagnostics all read the same parse, so a keystroke costs at most one parse of the full bench
 * (and only when something asks for the new version).
 */
export class BenchDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly subscriptions: vscode.Disposable[];
  /** How many parses ran (the integration suite checks lenses do not reparse). */
  parses = 0;
  lastParseMs = 0;

  constructor() {
    this.subscriptions = [vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString()))];
  }

  /** The bench parse of this version of the document, or undefined when it is not a bench. */
  get(document: vscode.TextDocument): ParsedBench | undefined {
    if (!mayBeBench(document)) return undefined;
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached?.version === document.version) return cached.parsed;
    const text = document.getText();
    this.parses++;
    const started = performance.now();
    const parsed = detectBenchFormat(text) === undefined ? undefined : parseBenchText(text);
    this.lastParseMs = performance.now() - started;
    this.cache.set(key, { version: document.version, parsed });
    return parsed;
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.cache.clear();
  }
}
