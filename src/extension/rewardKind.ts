/**
 * Which scorer `janus.reward.kind` means, as a pure function of the settings (no `vscode`), so the
 * `auto` rule is unit-tested: a reward URL on this machine with the generator's origin or the local
 * engine's port is the local engine's value head; any other reward URL is an OpenRLHF-style
 * `/get_reward` server (the contract the local engine shares; vLLM users pick `vllm`); no reward
 * URL falls back to the judge when one is configured, and otherwise nothing scores.
 */
import type { Settings } from '../core/settings';

export type ResolvedRewardKind = 'openrlhf' | 'vllm' | 'local' | 'judge' | 'none';

export interface RewardChoice {
  readonly kind: ResolvedRewardKind;
  /** Set when the settings ask for a scorer they do not configure: what to fix. */
  readonly problem?: string | undefined;
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

/** `runningEnginePort`: the port of the engine this window started, if any. */
export function chooseRewardKind(s: RewardSettings, runningEnginePort?: number): RewardChoice {
  const kind = s['reward.kind'];
  const rewardUrl = s['reward.baseUrl'];
  if (kind === 'judge') {
    return s['judge.baseUrl'] === '' ? { kind: 'none', problem: 'janus.reward.kind is "judge" but janus.judge.baseUrl is empty: set the judge endpoint.' } : { kind };
  }
  if (kind !== 'auto') {
    return rewardUrl === '' ? { kind: 'none', problem: `janus.reward.kind is "${kind}" but janus.reward.baseUrl is empty: set the reward server's URL.` } : { kind };
  }
  if (rewardUrl !== '') {
    const local = pointsAtLocalEngine(rewardUrl, s['generator.baseUrl'], runningEnginePort ?? s['localEngine.port']);
    return { kind: local ? 'local' : 'openrlhf' };
  }
  return { kind: s['judge.baseUrl'] === '' ? 'none' : 'judge' };
}
