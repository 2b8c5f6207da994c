import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { CliUsageError } from '../command';
import { formatInterval, formatPValue, formatSignedInterval } from '../../core/stats/evaluationStats';
import type { RunComparison } from '../../core/stats/evaluationRuns';
import { compareEvaluationRuns, readEvaluationRuns } from '../../core/stats/evaluationRuns';
import type { Mover } from '../../core/stats/paired';

const usage = `Usage: janus compare <a_evaluation.json> <b_evaluation.json> [--json] [--fail-if-worse <delta>]
                     [--resamples 10000] [--seed N] [--level 0.95]

Compares two evaluations of the same bench instance by instance (b - a): each side's mean with a 95%
bootstrap interval over instances (judge runs averaged inside an instance), the paired difference
with its bootstrap interval, a paired permutation test's p-value, how many instances got better,
worse or tied, the biggest movers, and the instances only one side scored.

  <file>           an evaluation file, or the --out of \`janus evaluate --runs N\` (its .run1.json,
                   .run2.json, ... are read)
  --json           print the comparison as JSON
  --fail-if-worse  exit 1 when the upper bound of (b - a) is below -delta: a CI gate on the
                   confidence bound, not on the point estimate
  --resamples      bootstrap resamples and permutations (default 10000)
  --seed           resampling seed (default fixed: the same files give the same numbers)
  --level          interval level (default 0.95)`;

interface CompareOptions {
  readonly a: string;
  readonly b: string;
  readonly json: boolean;
  readonly failIfWorse: number | undefined;
  readonly resamples: number;
  readonly seed: number | undefined;
  readonly level: number;
}

function numberFlag(value: string | undefined, flag: string, check: (n: number) => boolean, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new CliUsageError(`${flag} must be ${what} (got "${value}")`);
  return n;
}

function parse(args: readonly string[]): CompareOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        json: { type: 'boolean' },
        'fail-if-worse': { type: 'string' },
        resamples: { type: 'string' },
        seed: { type: 'string' },
        level: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new CliUsageError(`give exactly two evaluation files (got ${positionals.length})`);
  return {
    a: positionals[0] ?? '',
    b: positionals[1] ?? '',
    json: values.json === true,
    failIfWorse: numberFlag(values['fail-if-worse'], '--fail-if-worse', (n) => n >= 0, 'a number >= 0'),
    resamples: numberFlag(values.resamples, '--resamples', (n) => Number.isInteger(n) && n >= 100, 'an integer >= 100') ?? 10_000,
    seed: numberFlag(values.seed, '--seed', Number.isInteger, 'an integer'),
    level: numberFlag(values.level, '--level', (n) => n > 0 && n < 1, 'between 0 and 1') ?? 0.95,
  };
}

function moverLine(m: Mover): string {
  return `    ${m.id.padEnd(8)} ${m.a.toFixed(2)} -> ${m.b.toFixed(2)} (${m.delta >= 0 ? '+' : ''}${m.delta.toFixed(2)})`;
}

function listIds(ids: readonly string[]): string {
  return ids.length === 0 ? 'none' : `${ids.length} (${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', ...' : ''})`;
}

/** The paired table as people read it. */
export function formatComparison(result: RunComparison, names: { a: string; b: string }): string {
  const side = (label: string, name: string, s: RunComparison['a']): string =>
    `${label} ${name}\n    mean ${s.interval ? formatInterval(s.interval) : 'no scored instance'} over ${s.interval?.n ?? 0} instances, ${s.runs} run${s.runs === 1 ? '' : 's'}${s.runs > 1 ? ` (between runs: sd ${s.runSd.toFixed(3)})` : ''}`;
  const lines = [side('a', names.a, result.a), side('b', names.b, result.b)];
  const p = result.paired;
  if (!p) {
    lines.push('b - a: no instance is scored on both sides; nothing to compare.');
    return lines.join('\n');
  }
  lines.push(
    `b - a ${formatSignedInterval(p.difference, p.low, p.high)}, ${formatPValue(p.pValue)}, ${p.better} better / ${p.worse} worse / ${p.tied} tied (${p.n} paired instances, ${Math.round(p.level * 100)}% interval)`,
    `missing: in a ${listIds(p.missingInA)}; in b ${listIds(p.missingInB)}`,
  );
  if (p.biggestGains.length > 0) lines.push('  biggest gains (id, a -> b):', ...p.biggestGains.map(moverLine));
  if (p.biggestLosses.length > 0) lines.push('  biggest losses (id, a -> b):', ...p.biggestLosses.map(moverLine));
  return lines.join('\n');
}

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: 'compare two evaluations of the same bench: intervals, paired test, movers',
  usage,
  async run(args: readonly string[]): Promise<number> {
    const options = parse(args);
    const [a, b] = await Promise.all([readEvaluationRuns(options.a), readEvaluationRuns(options.b)]);
    const result = compareEvaluationRuns(a, b, {
      resamples: options.resamples,
      permutations: options.resamples,
      level: options.level,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ a: { files: a.files, ...result.a }, b: { files: b.files, ...result.b }, paired: result.paired ?? null }, null, 2)}\n`);
    } else {
      process.stdout.write(`${formatComparison(result, { a: options.a, b: options.b })}\n`);
    }
    if (options.failIfWorse !== undefined && !result.paired) {
      process.stderr.write('janus compare: --fail-if-worse: no instance is scored on both sides, so there is nothing to gate on\n');
      return 1;
    }
    if (options.failIfWorse !== undefined && result.paired && result.paired.high < -options.failIfWorse) {
      process.stderr.write(`janus compare: b is worse than a by more than ${options.failIfWorse} even at the upper bound of the interval (${result.paired.high.toFixed(3)})\n`);
      return 1;
    }
    return 0;
  },
};
