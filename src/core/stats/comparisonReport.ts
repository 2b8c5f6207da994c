import type { RunComparison } from './evaluationRuns';
import { formatInterval, formatPValue, formatSignedInterval } from './evaluationStats';
import type { Mover } from './paired';

/**
 * The comparison of two evaluation runs as a Markdown report (pure text): both means with their
 * intervals, the paired verdict, the counts that moved, the biggest movers and what is unpaired.
 */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function moversTable(title: string, movers: readonly Mover[]): string[] {
  if (movers.length === 0) return [];
  return [`### ${title}`, '', '| instance | a | b | b − a |', '| --- | ---: | ---: | ---: |', ...movers.map((m) => `| ${cell(m.id)} | ${m.a.toFixed(2)} | ${m.b.toFixed(2)} | ${m.delta >= 0 ? '+' : '−'}${Math.abs(m.delta).toFixed(2)} |`), ''];
}

function idList(ids: readonly string[]): string {
  return ids.length === 0 ? 'none' : `${ids.length}: ${ids.slice(0, 20).map(cell).join(', ')}${ids.length > 20 ? ', …' : ''}`;
}

export function comparisonMarkdown(result: RunComparison, names: { readonly a: string; readonly b: string }): string {
  const side = (label: string, name: string, s: RunComparison['a']): string =>
    `| ${label} | ${cell(name)} | ${s.interval ? formatInterval(s.interval) : '–'} | ${s.interval?.n ?? 0} | ${s.runs}${s.runs > 1 ? ` (sd ${s.runSd.toFixed(3)})` : ''} |`;
  const lines = ['# Comparison of two evaluation runs', '', '| | run | mean [95% interval] | instances | judge runs |', '| --- | --- | ---: | ---: | ---: |', side('a', names.a, result.a), side('b', names.b, result.b), ''];
  const p = result.paired;
  if (!p) {
    lines.push('No instance is scored in both runs: there is nothing to pair.', '');
    return `${lines.join('\n')}\n`;
  }
  const verdict = p.low > 0 ? 'b is better than a' : p.high < 0 ? 'b is worse than a' : 'no difference shown at this level';
  lines.push(
    `**b − a: ${formatSignedInterval(p.difference, p.low, p.high)}, ${formatPValue(p.pValue)}** — ${verdict}.`,
    '',
    `${p.n} paired instances: ${p.better} better, ${p.worse} worse, ${p.tied} tied. Interval: paired bootstrap over instances (${Math.round(p.level * 100)}%); p-value: paired permutation (sign-flip) test on instance means, two-sided.`,
    '',
    `Only in a (not paired): ${idList(p.missingInB)}. Only in b: ${idList(p.missingInA)}.`,
    '',
    ...moversTable('Biggest gains', p.biggestGains),
    ...moversTable('Biggest losses', p.biggestLosses),
  );
  return `${lines.join('\n')}\n`;
}
