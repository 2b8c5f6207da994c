import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { UserFacingError } from '../../core/errors';
import { writeFileAtomic } from '../../core/files/atomicWrite';
import type { SummaryOverview } from './summaryTables';
import { dimensionChartSvg, heatmapSvg, summaryCsv, summaryLatex, summaryMarkdown } from './summaryTables';

/** `x.summary.json` -> `x.summary` (the stem the report, chart and CSV share). */
function stemOf(summaryFile: string): string {
  return summaryFile.replace(/\.json$/i, '');
}

/** Writes the Markdown report and its chart beside the summary file; returns the report's path. */
export async function writeSummaryReport(summaryFile: string, summary: SummaryOverview, evaluationFile: string): Promise<string> {
  const stem = stemOf(summaryFile);
  const chart = `${stem}.chart.svg`;
  await writeFileAtomic(chart, dimensionChartSvg(summary.byDimension, summary.intervals?.byDimension));
  let heatmap: string | undefined;
  if (summary.intervals && Object.keys(summary.intervals.bySourceDimension).length > 0) {
    heatmap = `${stem}.heatmap.svg`;
    await writeFileAtomic(heatmap, heatmapSvg(summary.intervals.bySourceDimension));
  }
  const report = `${stem}.md`;
  await writeFileAtomic(report, summaryMarkdown(summary, `Evaluation: ${path.basename(evaluationFile)}`, { dimensions: path.basename(chart), heatmap: heatmap && path.basename(heatmap) }));
  return report;
}

/** Show Results: the report in the Markdown preview (tables and the bar chart). */
export async function showSummaryReport(summaryFile: string, summary: SummaryOverview, evaluationFile: string): Promise<void> {
  const report = await writeSummaryReport(summaryFile, summary, evaluationFile);
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(report));
}

/** Reads a summary file this product wrote (the overview without per-instance scores). */
export async function readSummaryFile(file: string): Promise<SummaryOverview> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<SummaryOverview>;
    if (typeof value.byDimension !== 'object' || typeof value.bySource !== 'object' || !Array.isArray(value.runs)) throw new Error('not a summary');
    return value as SummaryOverview;
  } catch (error) {
    throw new UserFacingError(`${file} is not an evaluation summary written by Janus: Evaluate Bench. Pick a *.summary.json from a run folder.`, { cause: error });
  }
}

/** Export Evaluation Summary: CSV, Markdown and a LaTeX (booktabs) table beside the summary file. */
export async function exportSummary(summaryFile: string): Promise<{ csv: string; markdown: string; latex: string }> {
  const summary = await readSummaryFile(summaryFile);
  const stem = stemOf(summaryFile);
  const csv = `${stem}.csv`;
  await writeFileAtomic(csv, summaryCsv(summary));
  const evaluationFile = summaryFile.replace(/\.summary\.json$/i, '.json');
  const markdown = await writeSummaryReport(summaryFile, summary, evaluationFile);
  const latex = `${stem}.tex`;
  await writeFileAtomic(latex, summaryLatex([{ model: path.basename(evaluationFile).replace(/_evaluation\.json$|\.json$/i, ''), summary }]));
  return { csv, markdown, latex };
}
