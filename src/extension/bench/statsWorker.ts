/**
 * The statistics worker (its own bundle, dist/statsWorker.js): the extension host hands it the
 * bootstraps of a summary and the paired comparisons, so a full-bench resampling never holds the
 * extension host's thread. Messages are `{ id, kind, ... }` in, `{ id, result }` or `{ id, error }` out.
 */
import { parentPort } from 'node:worker_threads';
import { computeIntervalsHere } from '../../core/stats/evaluationStats';
import { comparePaired } from '../../core/stats/paired';
import type { StatsRequest, StatsResponse } from './statsProtocol';

const port = parentPort;
if (port) {
  port.on('message', (request: StatsRequest) => {
    void (async (): Promise<StatsResponse> => {
      try {
        if (request.kind === 'intervals') return { id: request.id, result: await computeIntervalsHere(request.instances, request.summary) };
        return { id: request.id, result: comparePaired(request.a, request.b) ?? null };
      } catch (error) {
        return { id: request.id, error: error instanceof Error ? error.message : String(error) };
      }
    })().then((response) => port.postMessage(response));
  });
}
