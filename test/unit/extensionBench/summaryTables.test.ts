import assert from 'node:assert/strict';
import type { EvaluationSummary } from '../../../src/core/judge/aggregate';
import { dimensionChartSvg, summaryCsv, summaryMarkdown } from '../../../src/extension/bench/summaryTables';

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
    assert.equal(lines[0], 'group,name,mean,instances');
    assert.equal(lines[1], 'overall,overall,3.8750,2');
    assert.ok(lines.includes('dimension,informativeness,,'));
    assert.ok(lines.includes('source,"alpaca, eval",3.7500,1'));
    assert.ok(lines.includes('dimension,style,4.5000,'));
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
});
