/** One line of job progress, the same in the CLI and the editor's progress notification. */
import type { JobProgress } from './progress';

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatProgress(p: JobProgress, unit = 'calls'): string {
  const percent = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
  const parts = [`${p.done}/${p.total} ${unit} (${percent}%)`];
  if (p.reused > 0) parts.push(`${p.reused} reused`);
  if (p.failed > 0) parts.push(`${p.failed} failed`);
  if (p.rateLimitedMs !== undefined && p.rateLimitedMs > 0) parts.push(`rate limited: waiting ${Math.ceil(p.rateLimitedMs / 1000)} s`);
  parts.push(`${p.ratePerSecond.toFixed(1)}/s`);
  const tokens = p.promptTokens + p.completionTokens;
  if (tokens > 0) parts.push(`${tokens} tokens`);
  if (p.cost !== undefined) parts.push(`cost ${p.cost.toFixed(4)}`);
  if (p.etaMs !== undefined && p.done + p.failed < p.total) parts.push(`ETA ${duration(p.etaMs)}`);
  return parts.join(' · ');
}
