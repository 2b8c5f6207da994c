/**
 * The evaluation summary as Markdown, CSV, LaTeX and SVG charts: pure text (no `vscode`), so the
 * report, the exports and the charts are unit-tested as strings. Every mean carries its 95%
 * interval when the summary has one (summaries written before intervals existed show means alone).
 */
import type { Interval } from '../../core/stats/bootstrap';
import type { IntervalsJson } from '../../core/stats/evaluationStats';
import type { EvaluationSummary } from '../../core/judge/aggregate';
import { defaultDimensionOrder } from '../../core/judge/aggregate';

export type SummaryOverview = Omit<EvaluationSummary, 'perInstance'> & { readonly intervals?: IntervalsJson | undefined };

function fmt(value: number | null): string {
  return value === null ? '–' : value.toFixed(2);
}

function interval(value: Interval | null | undefined): string {
  return value ? `[${value.low.toFixed(2)}, ${value.high.toFixed(2)}]` : '–';
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

function sortedSources(summary: SummaryOverview): [string, { readonly mean: number | null; readonly instances: number }][] {
  return Object.entries(summary.bySource).sort(([a], [b]) => a.localeCompare(b));
}

/** One row per figure: `group,name,mean,instances,low,high` (4 decimals; empty when unknown). */
export function summaryCsv(summary: SummaryOverview): string {
  const rows = [['group', 'name', 'mean', 'instances', 'low', 'high']];
  const num = (v: number | null | undefined): string => (v === null || v === undefined ? '' : v.toFixed(4));
  const bounds = (i: Interval | null | undefined): string[] => [num(i?.low), num(i?.high)];
  const ci = summary.intervals;
  rows.push(['overall', 'overall', num(summary.overall), String(ci?.overall?.n ?? summary.runs[0]?.instances ?? ''), ...bounds(ci?.overall)]);
  for (const r of summary.runs) rows.push(['run', String(r.run + 1), num(r.mean), String(r.instances), '', '']);
  for (const [dimension, mean] of Object.entries(summary.byDimension)) {
    const i = own(ci?.byDimension, dimension);
    rows.push(['dimension', dimension, num(mean), i ? String(i.n) : '', ...bounds(i)]);
  }
  for (const [source, s] of sortedSources(summary)) rows.push(['source', source, num(s.mean), String(s.instances), ...bounds(own(ci?.bySource, source))]);
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/**
 * A horizontal bar per dimension on the 1-5 scale, with the 95% interval as an error bar when
 * known; colours work on the Markdown preview's light and dark themes.
 */
export function dimensionChartSvg(byDimension: Readonly<Record<string, number | null>>, intervals?: Readonly<Record<string, Interval>>): string {
  const entries = Object.entries(byDimension);
  const rowHeight = 28;
  const labelWidth = 170;
  const barWidth = 300;
  const height = entries.length * rowHeight + 24;
  const x = (score: number): number => labelWidth + Math.max(0, Math.min(1, (score - 1) / 4)) * barWidth;
  const bars = entries.map(([dimension, mean], i) => {
    const y = i * rowHeight + 4;
    const width = mean === null ? 0 : x(mean) - labelWidth;
    const ci = own(intervals, dimension);
    const whisker = ci
      ? `<g stroke="#d18616" stroke-width="2"><line x1="${x(ci.low).toFixed(1)}" y1="${y + 10}" x2="${x(ci.high).toFixed(1)}" y2="${y + 10}" /><line x1="${x(ci.low).toFixed(1)}" y1="${y + 4}" x2="${x(ci.low).toFixed(1)}" y2="${y + 16}" /><line x1="${x(ci.high).toFixed(1)}" y1="${y + 4}" x2="${x(ci.high).toFixed(1)}" y2="${y + 16}" /></g>`
      : '';
    return [
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(dimension)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="20" fill="#8884" />`,
      `<rect x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="20" fill="#3794ff" />`,
      whisker,
      `<text x="${labelWidth + barWidth + 8}" y="${y + 15}">${fmt(mean)}</text>`,
    ].join('');
  });
  const axis = `<text x="${labelWidth}" y="${height - 4}">1</text><text x="${labelWidth + barWidth}" y="${height - 4}" text-anchor="end">5</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 60}" height="${height}" font-family="sans-serif" font-size="13" fill="#888">${bars.join('')}${axis}</svg>\n`;
}

/** Columns of the source x dimension view: the four dimensions in the paper's order, then any other. */
function heatmapColumns(cells: Readonly<Record<string, Readonly<Record<string, Interval>>>>): string[] {
  const seen = new Set(Object.values(cells).flatMap((row) => Object.keys(row)));
  return [...defaultDimensionOrder.filter((d) => seen.has(d)), ...[...seen].filter((d) => !(defaultDimensionOrder as readonly string[]).includes(d)).sort()];
}

/** Red (1) through amber (3) to green (5), readable under light and dark text. */
function heatColour(mean: number): string {
  const t = Math.max(0, Math.min(1, (mean - 1) / 4));
  const hue = Math.round(t * 120);
  return `hsl(${hue}, 65%, 45%)`;
}

/**
 * The source (persona group) x dimension heatmap: one row per source, most instances first (at most
 * `maxRows`), each cell coloured by its mean with the mean and the interval's half-width written in.
 */
export function heatmapSvg(cells: Readonly<Record<string, Readonly<Record<string, Interval>>>>, maxRows = 40): string {
  const columns = heatmapColumns(cells);
  const rows = Object.entries(cells)
    .sort(([a, x], [b, y]) => Math.max(0, ...Object.values(y).map((i) => i.n)) - Math.max(0, ...Object.values(x).map((i) => i.n)) || a.localeCompare(b))
    .slice(0, maxRows);
  const labelWidth = 190;
  const cellWidth = 118;
  const cellHeight = 24;
  const top = 22;
  // Column heads as the lenses name them (background_knowledge is wider than a cell).
  const head = (c: string): string => (c === 'background_knowledge' ? 'knowledge' : c);
  const header = columns.map((c, j) => `<text x="${labelWidth + j * cellWidth + cellWidth / 2}" y="15" text-anchor="middle">${escapeXml(head(c))}</text>`).join('');
  const body = rows.map(([source, row], i) => {
    const y = top + i * cellHeight;
    const label = `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeXml(source.length > 26 ? `${source.slice(0, 25)}…` : source)}</text>`;
    const tiles = columns.map((column, j) => {
      const ci = own(row, column);
      const x = labelWidth + j * cellWidth;
      if (!ci) return `<rect x="${x}" y="${y}" width="${cellWidth - 2}" height="${cellHeight - 2}" fill="#8882" />`;
      return `<rect x="${x}" y="${y}" width="${cellWidth - 2}" height="${cellHeight - 2}" fill="${heatColour(ci.mean)}"><title>${escapeXml(`${source} · ${column}: ${ci.mean.toFixed(2)} [${ci.low.toFixed(2)}, ${ci.high.toFixed(2)}], ${ci.n} instances`)}</title></rect><text x="${x + cellWidth / 2}" y="${y + 16}" text-anchor="middle" fill="#fff">${ci.mean.toFixed(2)} ±${((ci.high - ci.low) / 2).toFixed(2)}</text>`;
    });
    return label + tiles.join('');
  });
  const height = top + rows.length * cellHeight + 4;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + columns.length * cellWidth + 8}" height="${height}" font-family="sans-serif" font-size="12" fill="#888">${header}${body.join('')}</svg>\n`;
}

/**
 * Under the heatmap, one collapsible block per source: each dimension's cell with its interval and
 * the instances in it (id and score, lowest first, so the ones that pull a cell down come first).
 */
function cellLists(ci: IntervalsJson): string[] {
  const members = ci.cellInstances;
  if (members === undefined) return [];
  const out: string[] = [];
  for (const source of Object.keys(ci.bySourceDimension).sort((a, b) => a.localeCompare(b))) {
    const cells = own(ci.bySourceDimension, source) ?? {};
    const columns = heatmapColumns({ [source]: cells });
    const rows = columns.map((dimension) => {
      const cell = own(cells, dimension);
      const list = [...(own(own(members, source), dimension) ?? [])].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
      const head = cell ? `**${escapeHtml(dimension)}** ${cell.mean.toFixed(2)} ${interval(cell)}, ${cell.n} instance${cell.n === 1 ? '' : 's'}` : `**${escapeHtml(dimension)}** –`;
      return `- ${head}: ${list.map(([id, score]) => `${escapeHtml(id)} (${score.toFixed(2)})`).join(', ')}`;
    });
    out.push(`<details><summary>${escapeHtml(source)}</summary>`, '', ...rows, '', '</details>', '');
  }
  return out;
}

function escapeHtml(text: string): string {
  return escapeXml(text).replace(/\|/g, '\\|');
}

/** Image files the report links to, by role: written beside the report. */
export interface ReportCharts {
  readonly dimensions?: string | undefined;
  readonly heatmap?: string | undefined;
}

/** The report Show Results opens: overall, per run, per dimension (with the chart), per source, the heatmap. */
export function summaryMarkdown(summary: SummaryOverview, title: string, charts?: string | ReportCharts): string {
  const files: ReportCharts = typeof charts === 'string' ? { dimensions: charts } : (charts ?? {});
  const ci = summary.intervals;
  const runsNote = summary.runs.length > 1 ? ` and ${summary.runs.length} runs` : '';
  const lines = [`# ${title}`, ''];
  if (ci?.overall) {
    lines.push(`**Overall: ${fmt(summary.overall)}** ${interval(ci.overall)} (1-5, mean over instances${runsNote}; 95% bootstrap interval over ${ci.overall.n} instances, ${ci.resamples} resamples)`, '');
  } else {
    lines.push(`**Overall: ${fmt(summary.overall)}** (1-5, mean over instances${runsNote})`, '');
  }
  if (ci?.betweenRuns && ci.betweenRuns.runs > 1) {
    lines.push(`Between judge runs: sd ${ci.betweenRuns.sd.toFixed(3)} (run means ${ci.betweenRuns.min.toFixed(2)}–${ci.betweenRuns.max.toFixed(2)}): the judge's own noise, apart from the sample's.`, '');
  }
  lines.push(`Items: ${summary.items} · scored ${summary.scored} · unscored ${summary.unscored} · not judged ${summary.missing}`, '');
  if (summary.runs.length > 1) {
    lines.push('| run | mean | instances | unscored |', '| --- | ---: | ---: | ---: |');
    for (const r of summary.runs) lines.push(`| ${r.run + 1} | ${fmt(r.mean)} | ${r.instances} | ${r.unscored} |`);
    lines.push('');
  }
  lines.push('## By dimension', '', '| dimension | mean | 95% interval |', '| --- | ---: | :---: |');
  for (const [dimension, mean] of Object.entries(summary.byDimension)) lines.push(`| ${dimension} | ${fmt(mean)} | ${interval(own(ci?.byDimension, dimension))} |`);
  lines.push('');
  if (files.dimensions !== undefined) lines.push(`![Mean score per dimension](${encodeURI(files.dimensions)})`, '');
  if (files.heatmap !== undefined && ci && Object.keys(ci.bySourceDimension).length > 0) {
    lines.push('## Source × dimension', '', 'Each cell: the mean of that dimension over the source\'s instances, ± half its 95% interval (hover a cell for the interval and count; open a source below for its instances).', '', `![Source by dimension heatmap](${encodeURI(files.heatmap)})`, '');
    lines.push(...cellLists(ci));
  }
  lines.push('## By source', '', '| source | mean | instances | 95% interval |', '| --- | ---: | ---: | :---: |');
  for (const [source, s] of sortedSources(summary)) lines.push(`| ${source.replace(/\|/g, '\\|')} | ${fmt(s.mean)} | ${s.instances} | ${interval(own(ci?.bySource, source))} |`);
  return `${lines.join('\n')}\n`;
}

function latexEscape(text: string): string {
  return text.replace(/[\\{}&%$#_^~]/g, (c) => (c === '\\' ? '\\textbackslash{}' : c === '^' ? '\\^{}' : c === '~' ? '\\~{}' : `\\${c}`));
}

/**
 * The paper's table layout (model rows; overall, then the four dimensions) as a LaTeX `booktabs`
 * table; each cell the mean with its 95% interval in small type beneath-right.
 */
export function summaryLatex(rows: readonly { readonly model: string; readonly summary: SummaryOverview }[]): string {
  const columns = ['style', 'background_knowledge', 'informativeness', 'harmlessness'] as const;
  const heads = ['Overall', 'Style', 'Knowledge', 'Informativeness', 'Harmlessness'];
  const cell = (mean: number | null | undefined, ci: Interval | null | undefined): string =>
    mean === null || mean === undefined ? '--' : ci ? `${mean.toFixed(2)} {\\scriptsize[${ci.low.toFixed(2)}, ${ci.high.toFixed(2)}]}` : mean.toFixed(2);
  const body = rows.map(({ model, summary }) => {
    const ci = summary.intervals;
    const cells = [cell(summary.overall, ci?.overall), ...columns.map((d) => cell(own(summary.byDimension, d), own(ci?.byDimension, d)))];
    return `${latexEscape(model)} & ${cells.join(' & ')} \\\\`;
  });
  return [
    '% requires \\usepackage{booktabs}',
    '\\begin{tabular}{l' + 'c'.repeat(heads.length) + '}',
    '\\toprule',
    `Model & ${heads.join(' & ')} \\\\`,
    '\\midrule',
    ...body,
    '\\bottomrule',
    '\\end{tabular}',
    '',
  ].join('\n');
}
