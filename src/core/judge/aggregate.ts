/**
 * Scores as the paper reports them: an instance's score is the mean over its rubric items, a run's
 * score the mean over instances, and the reported score the mean over runs. Unscored items (no
 * score after the retries) are left out of every mean and counted, so a gap is visible, never a 0.
 */
import type { BenchInstance } from '../bench/benchSchema';

export interface JudgedItem {
  /** 0-based judge run. */
  readonly run: number;
  readonly id: string;
  readonly rubricIndex: number;
  readonly score: number | null;
}

export interface InstanceScores {
  /** Mean over runs of the instance's mean over scored rubric items. */
  readonly mean: number | null;
  /** Per rubric item, mean over the runs that scored it. */
  readonly byRubric: readonly (number | null)[];
  readonly unscored: number;
}

export interface EvaluationSummary {
  readonly overall: number | null;
  readonly runs: readonly { readonly run: number; readonly mean: number | null; readonly instances: number; readonly unscored: number }[];
  /** Rubric dimension (from `preference_set`, else the bench's order) -> mean, averaged over runs. */
  readonly byDimension: Readonly<Record<string, number | null>>;
  readonly bySource: Readonly<Record<string, { readonly mean: number | null; readonly instances: number }>>;
  readonly perInstance: Readonly<Record<string, InstanceScores>>;
  /** Rubric items expected: instances x rubrics x runs. */
  readonly items: number;
  readonly scored: number;
  readonly unscored: number;
  /** Items with no result at all (a call that failed or has not run yet). */
  readonly missing: number;
}

/** Bench rubrics come one per dimension in this order when an instance has no `preference_set`. */
export const defaultDimensionOrder = ['style', 'background_knowledge', 'informativeness', 'harmlessness'] as const;

export function rubricDimension(instance: BenchInstance, index: number): string {
  return instance.preference_set?.[index]?.dimension ?? defaultDimensionOrder[index] ?? `rubric ${index + 1}`;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function present(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

class Lists {
  private readonly map = new Map<string, number[]>();
  add(key: string, value: number): void {
    const list = this.map.get(key);
    if (list) list.push(value);
    else this.map.set(key, [value]);
  }
  means(): Map<string, number | null> {
    return new Map([...this.map].map(([k, v]) => [k, mean(v)]));
  }
}

export function summarize(instances: readonly BenchInstance[], items: readonly JudgedItem[], runs: number): EvaluationSummary {
  const byKey = new Map<string, number | null>();
  for (const item of items) byKey.set(`${item.run}\u0000${item.id}\u0000${item.rubricIndex}`, item.score);
  let scored = 0;
  let unscored = 0;
  let missing = 0;
  const runSummaries = [];
  const dimensionRuns: Map<string, number | null>[] = [];
  const sourceRuns: Map<string, number | null>[] = [];
  const instanceRuns = new Map<string, number[]>();
  const rubricRuns = new Map<string, number[][]>();
  const instanceUnscored = new Map<string, number>();
  for (let run = 0; run < runs; run++) {
    const instanceMeans: number[] = [];
    const dimensions = new Lists();
    const sources = new Lists();
    let runUnscored = 0;
    for (const instance of instances) {
      const scores: number[] = [];
      const perRubric = rubricRuns.get(instance.id) ?? instance.rubrics.map(() => []);
      rubricRuns.set(instance.id, perRubric);
      instance.rubrics.forEach((_, index) => {
        const key = `${run}\u0000${instance.id}\u0000${index}`;
        if (!byKey.has(key)) {
          missing++;
          return;
        }
        const score = byKey.get(key) ?? null;
        if (score === null) {
          unscored++;
          runUnscored++;
          instanceUnscored.set(instance.id, (instanceUnscored.get(instance.id) ?? 0) + 1);
          return;
        }
        scored++;
        scores.push(score);
        perRubric[index]?.push(score);
        dimensions.add(rubricDimension(instance, index), score);
      });
      const instanceMean = mean(scores);
      if (instanceMean === null) continue;
      instanceMeans.push(instanceMean);
      sources.add(instance.source, instanceMean);
      const list = instanceRuns.get(instance.id) ?? [];
      list.push(instanceMean);
      instanceRuns.set(instance.id, list);
    }
    runSummaries.push({ run, mean: mean(instanceMeans), instances: instanceMeans.length, unscored: runUnscored });
    dimensionRuns.push(dimensions.means());
    sourceRuns.push(sources.means());
  }
  const overRuns = (maps: readonly Map<string, number | null>[]): Map<string, number | null> => {
    const keys = new Set(maps.flatMap((m) => [...m.keys()]));
    return new Map([...keys].map((k) => [k, mean(present(maps.map((m) => m.get(k) ?? null)))]));
  };
  const counts = new Map<string, number>();
  for (const instance of instances) if (instanceRuns.has(instance.id)) counts.set(instance.source, (counts.get(instance.source) ?? 0) + 1);
  const perInstance: Record<string, InstanceScores> = Object.create(null) as Record<string, InstanceScores>;
  for (const instance of instances) {
    perInstance[instance.id] = {
      mean: mean(instanceRuns.get(instance.id) ?? []),
      byRubric: (rubricRuns.get(instance.id) ?? []).map((list) => mean(list)),
      unscored: instanceUnscored.get(instance.id) ?? 0,
    };
  }
  return {
    overall: mean(present(runSummaries.map((r) => r.mean))),
    runs: runSummaries,
    byDimension: Object.fromEntries(overRuns(dimensionRuns)),
    bySource: Object.fromEntries([...overRuns(sourceRuns)].map(([k, v]) => [k, { mean: v, instances: counts.get(k) ?? 0 }])),
    perInstance,
    items: instances.reduce((n, i) => n + i.rubrics.length, 0) * runs,
    scored,
    unscored,
    missing,
  };
}

/**
 * The judged items of one run's evaluation file (ours or the original scripts'), so a host can
 * show scores from any evaluation file with `summarize`.
 */
export function itemsFromEvaluationFile(file: Readonly<Record<string, { readonly score: readonly (number | null)[] }>>, run = 0): JudgedItem[] {
  return Object.entries(file).flatMap(([id, entry]) => entry.score.map((score, rubricIndex) => ({ run, id, rubricIndex, score })));
}
