import assert from 'node:assert/strict';
import type { EvaluationSummary } from '../../../src/core/judge/aggregate';
import type { SummaryOverview } from '../../../src/extension/bench/summaryTables';
import { dimensionChartSvg, heatmapSvg, summaryCsv, summaryLatex, summaryMarkdown } from '../../../src/extension/bench/summaryTables';

const summary: Omit<EvaluationSummary, 'perInstance'> = {
  overall: 3.875,
  runs: [{ run: 0, mean: 3.875, instances: 2, unscored: 1 }],
  byDimension: { style: 4.5, background_knowledge: 3, informativeness: null, harmlessness: 4 },
  bySource: { 'mt-bench': { mean: 4, instances: 1 }, 'alpaca, eval': { mean: 3.75, instances: 1 } },
  items: 8,
  scored: 7,
  unscored: 1,
  missing: 0,
};

describe('evaluation summary exports', () => {
  it('writes CSV rows per figure, quoting names with commas and leaving unscored means empty', () => {
    const lines = summaryCsv(summary).trimEnd().split('\n');
    assert.equal(lines[0], 'group,name,mean,instances,low,high');
    assert.equal(lines[1], 'overall,overall,3.8750,2,,');
    assert.ok(lines.includes('dimension,informativeness,,,,'));
    assert.ok(lines.includes('source,"alpaca, eval",3.7500,1,,'));
    assert.ok(lines.includes('dimension,style,4.5000,,,'));
  });

  it('writes a Markdown report with the overall mean, counts, dimension and source tables and the chart', () => {
    const md = summaryMarkdown(summary, 'Evaluation: x.json', 'x.summary.chart.svg');
    assert.match(md, /^# Evaluation: x\.json/);
    assert.match(md, /\*\*Overall: 3\.88\*\*/);
    assert.match(md, /unscored 1/);
    assert.match(md, /\| informativeness \| – \|/);
    assert.match(md, /\| mt-bench \| 4\.00 \| 1 \|/);
    assert.match(md, /!\[Mean score per dimension\]\(x\.summary\.chart\.svg\)/);
  });

  it('draws one bar per dimension scaled from 1 to 5, an empty bar for no score', () => {
    const svg = dimensionChartSvg({ a: 5, b: 3, c: null, 'x<y': 1 });
    const widths = [...svg.matchAll(/fill="#3794ff"/g)].length;
    assert.equal(widths, 4);
    assert.match(svg, /width="300\.0" height="20" fill="#3794ff"/);
    assert.match(svg, /width="150\.0" height="20" fill="#3794ff"/);
    assert.match(svg, /width="0\.0" height="20" fill="#3794ff"/);
    assert.match(svg, /x&lt;y/);
  });

  const ci = (mean: number, low: number, high: number, n: number) => ({ mean, low, high, n, standardError: (high - low) / 3.92 });
  const withIntervals: SummaryOverview = {
    ...summary,
    intervals: {
      level: 0.95,
      resamples: 10000,
      unit: 'instance',
      overall: ci(3.875, 3.5, 4.25, 2),
      byDimension: { style: ci(4.5, 4, 5, 2), harmlessness: ci(4, 3, 5, 2) },
      bySource: { 'mt-bench': ci(4, 4, 4, 1) },
      bySourceDimension: { 'mt-bench': { style: ci(4.5, 4.5, 4.5, 1), harmlessness: ci(1, 1, 1, 1) }, koala: { informativeness: ci(3, 2, 4, 3) } },
      cellInstances: { 'mt-bench': { style: [['7', 4.5]], harmlessness: [['7', 1]] }, koala: { informativeness: [['1', 4], ['2|x', 2], ['3', 3]] } },
      betweenRuns: { runs: 3, sd: 0.021, min: 3.85, max: 3.9 },
    },
  };

  it('carries intervals in the CSV, the report and the chart when the summary has them', () => {
    const lines = summaryCsv(withIntervals).trimEnd().split('\n');
    assert.equal(lines[1], 'overall,overall,3.8750,2,3.5000,4.2500');
    assert.ok(lines.includes('dimension,style,4.5000,2,4.0000,5.0000'));
    assert.ok(lines.includes('source,"alpaca, eval",3.7500,1,,'));
    const md = summaryMarkdown(withIntervals, 'Evaluation: x.json', { dimensions: 'c.svg', heatmap: 'h.svg' });
    assert.match(md, /\*\*Overall: 3\.88\*\* \[3\.50, 4\.25\] \(1-5, mean over instances; 95% bootstrap interval over 2 instances, 10000 resamples\)/);
    assert.match(md, /Between judge runs: sd 0\.021/);
    assert.match(md, /\| style \| 4\.50 \| \[4\.00, 5\.00\] \|/);
    assert.match(md, /\| informativeness \| – \| – \|/);
    assert.match(md, /\| mt-bench \| 4\.00 \| 1 \| \[4\.00, 4\.00\] \|/);
    assert.match(md, /## Source × dimension[\s\S]*!\[Source by dimension heatmap\]\(h\.svg\)/);
    // Each source opens to its cells' instances, lowest score first.
    assert.match(md, /<details><summary>koala<\/summary>\n\n- \*\*informativeness\*\* 3\.00 \[2\.00, 4\.00\], 3 instances: 2\\\|x \(2\.00\), 3 \(3\.00\), 1 \(4\.00\)\n\n<\/details>/);
    assert.ok(md.indexOf('<summary>koala') < md.indexOf('<summary>mt-bench'));
    const svg = dimensionChartSvg(withIntervals.byDimension, withIntervals.intervals?.byDimension);
    // style's interval 4..5 on the 1..5 axis: from 170 + 0.75 * 300 to 170 + 300.
    assert.match(svg, /<line x1="395\.0" y1="14" x2="470\.0" y2="14" \/>/);
    assert.equal([...svg.matchAll(/stroke="#d18616"/g)].length, 2);
  });

  it('draws the source x dimension heatmap in the paper\'s dimension order, biggest source first', () => {
    const svg = heatmapSvg(withIntervals.intervals?.bySourceDimension ?? {});
    const headers = [...svg.matchAll(/text-anchor="middle">([a-z_]+)<\/text>/g)].map((m) => m[1]);
    assert.deepEqual(headers, ['style', 'informativeness', 'harmlessness']);
    assert.ok(svg.indexOf('>koala<') < svg.indexOf('>mt-bench<'), 'koala has 3 instances, mt-bench 1');
    assert.match(svg, /4\.50 ±0\.00/);
    assert.match(svg, /fill="hsl\(0, 65%, 45%\)"/, 'a mean of 1 is red');
    assert.match(svg, /<title>koala · informativeness: 3\.00 \[2\.00, 4\.00\], 3 instances<\/title>/);
  });

  it('writes the paper\'s table as LaTeX booktabs, escaping model names', () => {
    const tex = summaryLatex([{ model: 'janus_7b & co', summary: withIntervals }, { model: 'old', summary }]);
    assert.match(tex, /\\toprule\nModel & Overall & Style & Knowledge & Informativeness & Harmlessness \\\\\n\\midrule/);
    assert.match(tex, /janus\\_7b \\& co & 3\.88 \{\\scriptsize\[3\.50, 4\.25\]\} & 4\.50 \{\\scriptsize\[4\.00, 5\.00\]\} & 3\.00 & -- & 4\.00 \{\\scriptsize\[3\.00, 5\.00\]\} \\\\/);
    assert.match(tex, /old & 3\.88 & 4\.50 & 3\.00 & -- & 4\.00 \\\\/);
  });
});
