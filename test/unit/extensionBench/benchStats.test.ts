import assert from 'node:assert/strict';
import { meanInterval, meanWithInterval, pairedVerdict, verdictText } from '../../../src/extension/bench/benchStats';
import type { InstanceResult } from '../../../src/extension/bench/scoreFormat';
import { instanceResult } from '../../../src/extension/bench/scoreFormat';

function run(scores: Record<string, (number | null)[]>): Map<string, InstanceResult> {
  return new Map(Object.entries(scores).map(([id, s]) => [id, instanceResult(s, s.map(() => ''))]));
}

describe('bench header statistics', () => {
  const ids = Array.from({ length: 40 }, (_, i) => String(i));
  const base = run(Object.fromEntries(ids.map((id, i) => [id, [3 + (i % 3), 4, null, 3]])));
  const shown = run(Object.fromEntries(ids.map((id, i) => [id, i < 30 ? [4 + (i % 2), 4, null, 4] : [3 + (i % 3), 4, null, 3]])));

  it('shows the mean over the document instances with its interval', () => {
    const interval = meanInterval(ids, base);
    assert.ok(interval);
    assert.equal(interval.n, 40);
    assert.match(meanWithInterval(interval), /^mean 3\.\d\d \[3\.\d\d, 3\.\d\d\]$/);
    // Cached per run and ids: the same object comes back, another id set is computed anew.
    assert.equal(meanInterval(ids, base), interval);
    assert.notEqual(meanInterval(ids.slice(1), base), interval);
    assert.equal(meanWithInterval(meanInterval([], base)), 'mean –');
  });

  it('gives the paired verdict of the shown run against the base', () => {
    const verdict = verdictText(pairedVerdict(ids, shown, base));
    assert.match(verdict, /^\+0\.\d\d \[\+0\.\d\d, \+0\.\d\d\], p < 0\.001, \d+ better \/ \d+ worse$/);
    const paired = pairedVerdict(ids, shown, base);
    assert.ok(paired);
    assert.equal(paired.better + paired.worse + paired.tied, 40);
    // 10 unchanged, and 5 whose gain on one rubric is undone on another (i % 6 === 2).
    assert.equal(paired.tied, 15);
    assert.equal(verdictText(pairedVerdict(['x'], shown, base)), 'no instance scored in both');
  });
});
