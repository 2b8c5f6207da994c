import type { BenchInstance } from '../../core/bench/benchSchema';
import type { EvaluationSummary } from '../../core/judge/aggregate';
import type { IntervalsJson } from '../../core/stats/evaluationStats';
import type { PairedComparison } from '../../core/stats/paired';

/** What the extension host asks of the statistics worker (structured-cloned: Maps stay Maps). */
export type StatsRequest =
  | { readonly id: number; readonly kind: 'intervals'; readonly instances: readonly BenchInstance[]; readonly summary: EvaluationSummary }
  | { readonly id: number; readonly kind: 'paired'; readonly a: ReadonlyMap<string, number>; readonly b: ReadonlyMap<string, number> };

export type StatsResponse =
  | { readonly id: number; readonly result: IntervalsJson | PairedComparison | null; readonly error?: undefined }
  | { readonly id: number; readonly error: string; readonly result?: undefined };
