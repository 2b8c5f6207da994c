import * as vscode from 'vscode';
import type { ProbeResult } from '../../core/endpoints/probe';
import { describeProbe, describeRewardModel, endpointState, probeEndpoint } from '../../core/endpoints/probe';
import { endpointRoles } from '../../core/endpoints/profile';
import type { EndpointRole } from '../../core/endpoints/profile';
import { commandIds } from '../constants';
import type { JanusContext } from '../context';

export interface EndpointCheck {
  readonly role: EndpointRole;
  readonly configured: boolean;
  readonly state?: string;
  readonly result?: ProbeResult;
}

/** `n` > 1 is tested with a real (one-token) completion only on this machine's servers. */
function isLoopback(origin: string): boolean {
  return /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|$)/.test(origin);
}

/** "generator: ready (http://127.0.0.1:8011; reward model: janus-rm-7b (...))": the reward model only for a Janus engine. */
function summaryOf(check: EndpointCheck): string {
  if (!check.configured) return `${check.role}: not configured`;
  const rm = check.result?.rewardModel;
  return `${check.role}: ${check.state} (${check.result?.origin}${rm !== undefined ? `; reward model: ${describeRewardModel(rm)}` : ''})`;
}

/** Janus: Check Endpoints. Probes every configured profile, logs a report and summarises it. */
export async function checkEndpoints(ctx: JanusContext): Promise<EndpointCheck[]> {
  const checks = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Janus: checking endpoints', cancellable: true },
    async (_progress, token) => {
      const request = ctx.requests.begin(token);
      try {
        return await Promise.all(
          endpointRoles.map(async (role): Promise<EndpointCheck> => {
            const profile = ctx.config.profile(role);
            if (!profile) return { role, configured: false };
            const apiKey = await ctx.keys.keyFor(profile.baseUrl);
            const result = await probeEndpoint(profile, { apiKey, signal: request.signal, testN: isLoopback(new URL(profile.baseUrl).origin) });
            ctx.log.info(['Endpoint check:', ...describeProbe(result, profile, apiKey !== undefined)].join('\n'));
            if (role === 'generator') void ctx.status.refresh(result);
            return { role, configured: true, state: endpointState(result, apiKey !== undefined), result };
          }),
        );
      } finally {
        request.end();
      }
    },
  );
  const summary = checks.map(summaryOf).join(' · ');
  const allReady = checks.every((c) => !c.configured || c.state === 'ready');
  const show = allReady ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  void show(`Janus endpoints: ${summary}`, 'Show Log').then((choice) => {
    if (choice) void vscode.commands.executeCommand(commandIds.showLog);
  });
  return checks;
}
