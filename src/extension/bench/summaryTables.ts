/**
 * The evaluation summary as Markdown, CSV and an SVG bar chart: pure text (no `vscode`), so the
 * report, the export and the chart are unit-tested as strings.
 */
import type { EvaluationSummary } from '../../core/judge/aggregate';

type SummaryOverview = Omit<EvaluationSummary, 'perInstance'>;

function fmt(value: number | null): string {
  return value === null ? '–' : value.toFixed(2);
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function sortedSources(summary: SummaryOverview): [string, { readonly mean: number | null; readonly instances: number }][] {
  return Object.entries(summary.bySource).sort(([a], [b]) => a.localeCompare(b));
}

/** One row per figure: `group,name,mean,instances`, means with 4 decimals (empty when unscored). */
export function summaryCsv(summary: SummaryOverview): string {
  const rows = [['group', 'name', 'mean', 'instances']];
  const num = (v: number | null): string => (v === null ? '' : v.toFixed(4));
  rows.push(['overall', 'overall', num(summary.overall), String(summary.runs[0]?.instances ?? '')]);
  for (const r of summary.runs) rows.push(['run', String(r.run + 1), num(r.mean), String(r.instances)]);
  for (const [dimension, mean] of Object.entries(summary.byDimension)) rows.push(['dimension', dimension, num(mean), '']);
  for (const [source, s] of sortedSources(summary)) rows.push(['source', source, num(s.mean), String(s.instances)]);
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/** A horizontal bar per dimension on the 1-5 scale; colours from the Markdown preview's theme. */
export function dimensionChartSvg(byDimension: Readonly<Record<string, number | null>>): string {
  const entries = Object.entries(byDimension);
  const rowHeight = 28;
  const labelWidth = 170;
  const barWidth = 300;
  const height = entries.length * rowHeight + 24;
  const bars = entries.map(([dimension, mean], i) => {
    const y = i * rowHeight + 4;
    const width = mean === null ? 0 : Math.max(0, Math.min(1, (mean - 1) / 4)) * barWidth;
    return [
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(dimension)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="20" fill="#8884" />`,
      `<rect x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="20" fill="#3794ff" />`,
      `<text x="${labelWidth + barWidth + 8}" y="${y + 15}">${fmt(mean)}</text>`,
    ].join('');
  });
  const axis = `<text x="${labelWidth}" y="${height - 4}">1</text><text x="${labelWidth + barWidth}" y="${height - 4}" text-anchor="end">5</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 60}" height="${height}" font-family="sans-serif" font-size="13" fill="#888">${bars.join('')}${axis}</svg>\n`;
}

/** The report Show Results opens: overall, per run, per dimension (with the chart), per source. */
export function summaryMarkdown(summary: SummaryOverview, title: string, chartFile?: string): string {
  const lines = [`# ${title}`, '', `**Overall: ${fmt(summary.overall)}** (1-5, mean over instances${summary.runs.length > 1 ? ` and ${summary.runs.length} runs` : ''})`, ''];
  lines.push(`Items: ${summary.items} · scored ${summary.scored} · unscored ${summary.unscored} · not judged ${summary.missing}`, '');
  if (summary.runs.length > 1) {
    lines.push('| run | mean | instances | unscored |', '| --- | ---: | ---: | ---: |');
    for (const r of summary.runs) lines.push(`| ${r.run + 1} | ${fmt(r.mean)} | ${r.instances} | ${r.unscored} |`);
    lines.push('');
  }
  lines.push('## By dimension', '', '| dimension | mean |', '| --- | ---: |');
  for (const [dimension, mean] of Object.entries(summary.byDimension)) lines.push(`| ${dimension} | ${fmt(mean)} |`);
  lines.push('');
  if (chartFile !== undefined) lines.push(`![Mean score per dimension](${encodeURI(chartFile)})`, '');
  lines.push('## By source', '', '| source | mean | instances |', '| --- | ---: | ---: |');
  for (const [source, s] of sortedSources(summary)) lines.push(`| ${source.replace(/\|/g, '\\|')} | ${fmt(s.mean)} | ${s.instances} |`);
  return `${lines.join('\n')}\n`;
}
