/**
 * Which scorer `janus.reward.kind` means, as a pure function of the settings and of what the local
 * engines said about themselves (no `vscode`), so the `auto` rule is unit-tested. `auto`: a local
 * engine that has a reward model loaded scores (the one `janus.reward.baseUrl` points at, else the
 * one this window started or the generator's); a reward URL that is not a local engine is an
 * OpenRLHF-style `/get_reward` server (vLLM users pick `vllm`); otherwise the judge fallback when one
 * is configured, and otherwise nothing scores. A local engine without a reward model never scores:
 * its generator's hidden states are not a reward model's.
 */
import type { Settings } from '../core/settings';

export type ResolvedRewardKind = 'openrlhf' | 'vllm' | 'local' | 'judge' | 'none';

export interface RewardChoice {
  readonly kind: ResolvedRewardKind;
  /** Set when the settings ask for a scorer they do not configure: what to fix. */
  readonly problem?: string | undefined;
  /** For `local` found without `janus.reward.baseUrl`: the engine to score with. */
  readonly baseUrl?: string | undefined;
}

/** What is known about local engines when the choice is made. */
export interface LocalEngineFacts {
  /** The port of the engine this window started, if any. */
  readonly runningPort?: number | undefined;
  /** Server roots of engines on this machine whose `/props` report a loaded reward model. */
  readonly withRewardModel?: readonly string[] | undefined;
}

type RewardSettings = Pick<Settings, 'reward.kind' | 'reward.baseUrl' | 'judge.baseUrl' | 'generator.baseUrl' | 'localEngine.port'>;

function loopbackPort(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) return undefined;
    return parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  } catch {
    return undefined;
  }
}

/** True when `rewardUrl` is a server on this machine that also generates or is the local engine. */
export function pointsAtLocalEngine(rewardUrl: string, generatorUrl: string, enginePort: number | undefined): boolean {
  const port = loopbackPort(rewardUrl);
  if (port === undefined) return false;
  return port === loopbackPort(generatorUrl) || (enginePort !== undefined && port === String(enginePort));
}

/** The loopback servers that may be a local engine, for the caller to ask `/props`: engine, generator, reward URL. */
export function localEngineCandidates(s: Pick<Settings, 'reward.baseUrl' | 'generator.baseUrl'>, runningBaseUrl: string | undefined): string[] {
  const urls = [runningBaseUrl, s['generator.baseUrl'], s['reward.baseUrl']].filter((u): u is string => u !== undefined && u !== '' && loopbackPort(u) !== undefined);
  return [...new Set(urls.map((u) => u.replace(/\/+$/, '').replace(/\/v1$/, '')))];
}

export function chooseRewardKind(s: RewardSettings, facts: LocalEngineFacts = {}): RewardChoice {
  const kind = s['reward.kind'];
  const rewardUrl = s['reward.baseUrl'];
  if (kind === 'judge') {
    return s['judge.baseUrl'] === '' ? { kind: 'none', problem: 'janus.reward.kind is "judge" but janus.judge.baseUrl is empty: set the judge endpoint.' } : { kind };
  }
  if (kind !== 'auto') {
    return rewardUrl === '' ? { kind: 'none', problem: `janus.reward.kind is "${kind}" but janus.reward.baseUrl is empty: set the reward server's URL.` } : { kind };
  }
  const withRm = facts.withRewardModel ?? [];
  if (rewardUrl !== '') {
    if (!pointsAtLocalEngine(rewardUrl, s['generator.baseUrl'], facts.runningPort ?? s['localEngine.port'])) return { kind: 'openrlhf' };
    const port = loopbackPort(rewardUrl);
    if (withRm.some((root) => loopbackPort(root) === port)) return { kind: 'local' };
  } else if (withRm[0] !== undefined) {
    return { kind: 'local', baseUrl: withRm[0] };
  }
  return { kind: s['judge.baseUrl'] === '' ? 'none' : 'judge' };
}
