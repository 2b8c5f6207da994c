// Shared output of every benchmark: a printed table and a JSON file under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BenchRow {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** The target the issue sets, as text (e.g. "< 5 %"), if any. */
  readonly target?: string;
  readonly ok?: boolean;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export function report(name: string, rows: readonly BenchRow[], extra: Record<string, unknown> = {}): void {
  const width = Math.max(...rows.map((r) => r.metric.length));
  process.stdout.write(`\n${name}\n${'-'.repeat(name.length)}\n`);
  for (const row of rows) {
    const value = Number.isInteger(row.value) ? String(row.value) : row.value.toFixed(Math.abs(row.value) < 10 ? 3 : 1);
    const target = row.target ? `  target ${row.target} ${row.ok === undefined ? '' : row.ok ? 'met' : 'NOT MET'}` : '';
    process.stdout.write(`${row.metric.padEnd(width)}  ${value} ${row.unit}${target}\n`);
  }
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, date: new Date().toISOString(), cpus: os.availableParallelism(), node: process.version, rows, ...extra }, null, 2));
  process.stdout.write(`(written to bench/results/${name}.json)\n`);
}
