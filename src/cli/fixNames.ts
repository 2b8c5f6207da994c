/**
 * What the CLI's error messages tell the user to fix: its own flags and environment variables.
 * Core's endpoint errors name the editor's settings unless a host says otherwise, and a CLI user
 * told to "fix janus.judge.baseUrl" has no such setting anywhere.
 */
import type { EndpointFixNames } from '../core/endpoints/endpointError';
import type { RewardFixNames } from '../core/reward/httpScorers';

export interface CliEndpointFlags {
  /** The flag of the base URL, e.g. `--judge`. */
  readonly baseUrl: string;
  /** The flag of the model id, e.g. `--judge-model`. */
  readonly model: string;
  /** The flag of the prompt format; undefined when the command has only one (chat). */
  readonly format?: string | undefined;
  /** The sampling flags the command takes, for "check these options". */
  readonly sampling: readonly string[];
}

export const cliKeyVariables = 'JANUS_API_KEY (or OPENAI_API_KEY)';

export function cliFixNames(flags: CliEndpointFlags): EndpointFixNames {
  const options = [flags.baseUrl, flags.model, ...(flags.format === undefined ? [] : [flags.format]), ...flags.sampling];
  return {
    baseUrl: flags.baseUrl,
    model: flags.model,
    format: flags.format ?? `${flags.baseUrl} (this command speaks the chat completions API)`,
    options: `${options.slice(0, -1).join(', ')} and ${options.at(-1) ?? ''}`,
    timeout: '--timeout-ms',
    stallTimeout: '--timeout-ms',
    saveKey: `in ${cliKeyVariables}`,
    listModels: `without ${flags.model} the first model the server lists is used`,
    maxReplyChars: '--max-reply-chars',
  };
}

/** The reward server's flags (`best-of-n`, `generate --n`); its key has a variable of its own. */
export const cliRewardFixNames: RewardFixNames = {
  ...cliFixNames({ baseUrl: '--reward', model: '--reward-model', sampling: [] }),
  saveKey: 'in JANUS_REWARD_API_KEY',
  kind: '--reward-kind',
};

/** The flag behind a field of an endpoint profile, for usage errors about bad values. */
export function flagForProfilePath(path: readonly PropertyKey[], names: EndpointFixNames): string {
  const field = path.map(String).join('.');
  const flags: Record<string, string> = {
    baseUrl: names.baseUrl,
    model: names.model,
    'sampling.maxTokens': '--max-tokens',
    'sampling.temperature': '--temperature',
    'sampling.topP': '--top-p',
    'sampling.repetitionPenalty': '--repetition-penalty',
    'sampling.seed': '--seed',
    timeoutMs: names.timeout,
    stallTimeoutMs: names.stallTimeout,
  };
  return flags[field] ?? field;
}
