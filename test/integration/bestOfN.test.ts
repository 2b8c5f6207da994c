// Best-of-N in the real extension host against the real local engine serving the tiny model WITH
// the separate tiny reward model: the candidates panel (its real page) receives N candidates and N rewards, the
// best is the highest reward, Insert puts it in the editor, a dead reward server leaves the
// candidates unscored with the error, and export writes DPO rows from the marks.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { EndpointClient } from '../../src/core/endpoints/client';
import type { ExportResult } from '../../src/extension/commands/exportPairs';
import type { PanelSession } from '../../src/webview/candidates/model';
import { applyGroupEvent, toCoreEvent } from '../../src/webview/candidates/model';
import type { HostMessage } from '../../src/webview/candidates/protocol';
import type { JudgeRequest, JudgeServer } from '../support/judgeServer';
import { expectedScore, startJudgeServer } from '../support/judgeServer';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import { janus, resetUserSettings, setUserSetting } from './support/janusHost';
import { freePort } from '../support/closedPort';

const touched = ['generator.baseUrl', 'generator.maxTokens', 'generator.seed', 'reward.baseUrl', 'reward.kind', 'judge.baseUrl', 'judge.model', 'systemMessage', 'bestOfN.n', 'bestOfN.gradeRubrics'];
const system = 'You are a terse assistant who answers in one sentence.';
const prompt = 'Why is the sky blue?';

/** The rewards the engine gives these texts directly, for comparison with what the panel got. */
async function engineRewards(url: string, texts: readonly string[]): Promise<number[]> {
  const query = texts.map((t) => `<s>[INST] ${system}\n${prompt} [/INST] ${t} </s>`);
  const reply = (await (await fetch(`${url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json()) as { rewards: number[] };
  return reply.rewards;
}

/**
 * What the page builds from the messages it was sent for `sessionId`: the last whole session
 * (sent after its `ready`), then every event and mark after it, through the page's own reducer.
 */
function pageView(posted: readonly HostMessage[], sessionId: string): PanelSession | undefined {
  let view: PanelSession | undefined;
  for (const m of posted) {
    if (m.type === 'session' && m.session.sessionId === sessionId) view = m.session;
    else if (m.type === 'event' && view && m.sessionId === sessionId) view = applyGroupEvent(view, m.group, toCoreEvent(m.event));
  }
  return view;
}

function eventsOf(posted: readonly HostMessage[], sessionId: string): HostMessage[] {
  return posted.filter((m) => m.type === 'event' && m.sessionId === sessionId);
}

describe('Best-of-N: candidates panel against the real local engine with its reward model', function () {
  this.timeout(180_000);
  let engine: RunningEngine | undefined;
  let ranked: PanelSession | undefined;

  before(async () => {
    const model = await getTinyModel();
    engine = await startEngine(['--model', model.modelPath, '--reward-model', model.rewardModelPath, '--parallel', '4', '--context', '1024']);
    await setUserSetting('generator.baseUrl', `${engine.url}/v1`);
    await setUserSetting('reward.baseUrl', engine.url);
    await setUserSetting('systemMessage', system);
    await setUserSetting('generator.maxTokens', 24);
    await setUserSetting('generator.seed', 11);
  });

  after(async () => {
    await resetUserSettings(touched);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await engine?.stop();
  });

  it('streams N candidates and N rewards to the panel\'s page, best first, scored by the engine\'s reward model', async () => {
    const api = await janus();
    const posted: HostMessage[] = [];
    const sub = api.candidates.onDidPost((m) => posted.push(m));
    const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 4 });
    assert.ok(session, 'the command returned no session');
    await api.candidates.ready();
    sub.dispose();
    const group = session.groups[0];
    assert.ok(group);
    const run = group.run;
    assert.equal(run.candidates.length, 4);
    assert.deepEqual(run.candidates.map((c) => c.status), ['done', 'done', 'done', 'done']);
    assert.ok(run.candidates.every((c) => c.text.length > 0), 'every candidate has text');
    assert.equal(group.scorer?.kind, 'local', 'auto picks the local engine for a reward URL on the generator\'s origin');
    assert.equal(group.scorer?.isRewardModel, true);
    const rewards = run.candidates.map((c) => c.reward);
    assert.ok(rewards.every((r) => typeof r === 'number' && Number.isFinite(r)), `4 rewards: ${JSON.stringify(rewards)}`);
    assert.equal(run.scoreError, undefined);
    const byReward = run.candidates.map((c) => c.index).sort((a, b) => (rewards[b] ?? 0) - (rewards[a] ?? 0) || a - b);
    assert.deepEqual(run.order, byReward, 'ranked by reward, best first');
    assert.equal(run.best, byReward[0]);
    assert.equal(Math.max(...(rewards as number[])), rewards[run.best ?? -1], 'the top one has the highest reward');
    // The rewards are the engine's for exactly these texts (the Janus RM input), not made up.
    const direct = await engineRewards(engine!.url, run.candidates.map((c) => c.text));
    direct.forEach((r, i) => assert.ok(Math.abs(r - (rewards[i] ?? NaN)) < 1e-6, `candidate ${i}: ${r} vs ${rewards[i]}`));
    // The real page said ready and was sent what rebuilds exactly this run: 4 texts, 4 rewards, the ranking.
    const traffic = api.candidates.traffic();
    assert.ok(traffic.some((t) => t.direction === 'in' && t.type === 'ready'), 'the page said ready');
    assert.deepEqual(pageView(posted, session.sessionId)?.groups[0]?.run, run, 'the page gets the same candidates, rewards and ranking');
    assert.deepEqual(api.candidates.session()?.groups[0]?.run, run, 'the host keeps the same state it returned');
    ranked = session;
  });

  it('Insert puts the best candidate at the cursor of the editor the command came from', async () => {
    const api = await janus();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: 'Answer:\n' });
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    await api.candidates.ready();
    const posted: HostMessage[] = [];
    const sub = api.candidates.onDidPost((m) => posted.push(m));
    const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 3 });
    sub.dispose();
    const run = session?.groups[0]?.run;
    assert.ok(session && run && run.best !== undefined, 'ranked');
    // The page was already open, so this run streamed to it event by event as it happened.
    const streamed = eventsOf(posted, session.sessionId).map((m) => (m.type === 'event' ? m.event.type : ''));
    assert.equal(streamed[0], 'started');
    assert.equal(streamed.at(-1), 'done');
    assert.equal(streamed.filter((t) => t === 'scored').length, 3);
    assert.ok(streamed.includes('candidateDelta') && streamed.indexOf('candidateDelta') < streamed.indexOf('ranked'), 'text streamed before the ranking');
    assert.deepEqual(pageView(posted, session.sessionId)?.groups[0]?.run, run);
    const best = run.candidates[run.best]?.text ?? '';
    const replies = await api.candidates.deliver({ type: 'action', id: 'insert-1', sessionId: session.sessionId, group: 0, index: run.best, action: 'insert' });
    assert.deepEqual(replies.map((r) => r.type === 'result' && r.ok), [true], JSON.stringify(replies));
    assert.equal(document.getText(), `Answer:\n${best}`);
    assert.ok(best.length > 0);
  });

  it('Replace swaps the selection the command ran on for the chosen candidate', async () => {
    const api = await janus();
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: `Q: ${prompt}\nA: TODO\n` });
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
    editor.selection = new vscode.Selection(1, 3, 1, 7);
    const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 2 });
    assert.equal(session?.hasSelection, true);
    const text = session?.groups[0]?.run.candidates[1]?.text ?? '';
    const replies = await api.candidates.deliver({ type: 'action', id: 'replace-1', sessionId: session?.sessionId, group: 0, index: 1, action: 'replace' });
    assert.equal(replies[0]?.type === 'result' && replies[0].ok, true, JSON.stringify(replies));
    assert.equal(document.getText(), `Q: ${prompt}\nA: ${text}\n`);
  });

  it('the panel\'s Cancel message aborts the run: it ends cancelled and the engine frees every slot', async () => {
    const api = await janus();
    await api.candidates.ready();
    await setUserSetting('generator.maxTokens', 4000);
    try {
      let sessionId: string | undefined;
      const firstText = new Promise<void>((resolve) => {
        const sub = api.candidates.onDidPost((m) => {
          if (m.type === 'event' && m.event.type === 'candidateDelta') {
            sessionId = m.sessionId;
            sub.dispose();
            resolve();
          }
        });
      });
      const pending = vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt: 'Write a very long story.', n: 4 });
      await firstText;
      await api.candidates.deliver({ type: 'cancel', sessionId });
      const session = await pending;
      const run = session?.groups[0]?.run;
      assert.equal(run?.finished, true);
      assert.equal(run?.cancelled, true);
      assert.deepEqual(run?.order, [], 'nothing ranked');
      assert.ok((run?.candidates ?? []).every((c) => c.text.length < 4000 * 8), 'stopped well before max tokens');
      assert.equal(api.activeRequests(), 0);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const props = (await (await fetch(`${engine!.url}/props`)).json()) as { total_slots: number; idle_slots: number };
        if (props.idle_slots === props.total_slots) break;
        assert.ok(Date.now() < deadline, 'the engine did not free its slots after cancel');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await setUserSetting('generator.maxTokens', 24);
    }
  });

  it('a reward server that is down leaves the candidates unscored with the error, and nothing ranked', async () => {
    const api = await janus();
    await setUserSetting('reward.baseUrl', `http://127.0.0.1:${await freePort()}`);
    try {
      const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 3 });
      const run = session?.groups[0]?.run;
      assert.ok(run);
      assert.deepEqual(run.candidates.map((c) => [c.status, c.reward]), [['done', undefined], ['done', undefined], ['done', undefined]]);
      assert.ok(run.candidates.every((c) => c.text.length > 0), 'the candidates still show');
      assert.match(run.scoreError ?? '', /refused the connection|could not be reached/i);
      assert.deepEqual(run.order, []);
      assert.equal(run.best, undefined);
      const shown = api.candidates.session();
      assert.equal(shown?.sessionId, session?.sessionId, 'the panel shows the failed session');
      // The RM is back: Re-score from the panel scores the same candidates and ranks them in place.
      await setUserSetting('reward.baseUrl', engine!.url);
      const replies = await api.candidates.deliver({ type: 'rescore', id: 'rescore-1', sessionId: session?.sessionId });
      assert.deepEqual(replies.filter((r) => r.type === 'result').map((r) => r.type === 'result' && r.ok), [true], JSON.stringify(replies.filter((r) => r.type === 'result')));
      const rescored = api.candidates.session(session?.sessionId)?.groups[0]?.run;
      assert.deepEqual(rescored?.candidates.map((c) => c.text), run.candidates.map((c) => c.text), 'the same candidates');
      const rewards = rescored?.candidates.map((c) => c.reward) ?? [];
      assert.ok(rewards.every((r) => typeof r === 'number'), JSON.stringify(rewards));
      assert.equal(rescored?.scoreError, undefined);
      assert.equal(rewards[rescored?.best ?? -1], Math.max(...(rewards as number[])));
      assert.ok(replies.some((r) => r.type === 'event' && r.event.type === 'rescoring'), 'the page is told the old scores no longer hold');
    } finally {
      await setUserSetting('reward.baseUrl', engine!.url);
    }
  });

  it('an unreachable generator: the command reports it and the panel shows the session failed, not sampling forever', async () => {
    const api = await janus();
    await setUserSetting('generator.baseUrl', `http://127.0.0.1:${await freePort()}/v1`);
    try {
      const result = await vscode.commands.executeCommand<PanelSession | undefined>('janus.generateBestOfN', { prompt, n: 2 });
      assert.equal(result, undefined, 'the error was reported, not returned');
      const shown = api.candidates.session();
      assert.match(shown?.error ?? '', /could not be reached/);
      assert.ok(shown?.groups.every((g) => g.run.finished), 'nothing is left running');
      assert.equal(api.activeRequests(), 0);
    } finally {
      await setUserSetting('generator.baseUrl', `${engine!.url}/v1`);
    }
  });

  it('exports the marks as DPO rows with both rewards and SFT rows, atomically, to the chosen file', async () => {
    const api = await janus();
    assert.ok(ranked, 'the first test ranked a session');
    const run = ranked.groups[0]!.run;
    const best = run.best!;
    const worst = run.order[run.order.length - 1]!;
    for (const [index, mark] of [[best, 'chosen'], [worst, 'rejected']] as const) {
      const replies = await api.candidates.deliver({ type: 'mark', id: `m${index}`, sessionId: ranked.sessionId, group: 0, index, mark });
      assert.ok(replies.some((r) => r.type === 'result' && r.ok), JSON.stringify(replies));
    }
    const folder = vscode.workspace.workspaceFolders![0]!;
    const target = vscode.Uri.file(path.join(folder.uri.fsPath, '.janus', 'exports', 'pairs.dpo.jsonl'));
    const result = await vscode.commands.executeCommand<ExportResult>('janus.exportPreferencePairs', { uri: target.toString(), open: false });
    assert.equal(result?.dpoRows, 1);
    assert.equal(result?.sftRows, 1);
    const lines = readFileSync(target.fsPath, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'JSONL ends with a newline');
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(rows, [
      { system, prompt, chosen: run.candidates[best]!.text, rejected: run.candidates[worst]!.text, chosen_reward: run.candidates[best]!.reward, rejected_reward: run.candidates[worst]!.reward },
    ]);
    const sft = readFileSync(path.join(folder.uri.fsPath, '.janus', 'exports', 'pairs.sft.jsonl'), 'utf8');
    assert.deepEqual(JSON.parse(sft), { system, prompt, output: run.candidates[best]!.text });
  });

  it('Compare Personas answers the same prompt under each persona, side by side with the engine\'s rewards', async () => {
    const api = await janus();
    const personas = [
      { name: 'Terse', system },
      { name: 'Teacher', system: 'You are a patient teacher who explains with everyday examples.' },
      { name: 'Poet', system: 'You are a poet; your responses rhyme.' },
    ];
    const session = await vscode.commands.executeCommand<PanelSession>('janus.comparePersonas', { prompt, personas });
    assert.ok(session);
    assert.equal(session.mode, 'compare');
    assert.deepEqual(session.groups.map((g) => [g.label, g.system]), personas.map((p) => [p.name, p.system]));
    for (const group of session.groups) {
      const [only] = group.run.candidates;
      assert.equal(group.run.candidates.length, 1);
      assert.equal(only?.status, 'done');
      assert.ok(typeof only?.reward === 'number', `${group.label} has a reward`);
      assert.equal(group.run.best, 0);
      // Each answer was scored under its own persona's system message.
      const [direct] = await (await fetch(`${engine!.url}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: [`<s>[INST] ${group.system}\n${prompt} [/INST] ${only.text} </s>`] }) })).json().then((r: { rewards: number[] }) => r.rewards);
      assert.ok(Math.abs((direct ?? NaN) - only.reward) < 1e-6, `${group.label}: ${direct} vs ${only.reward}`);
    }
    assert.equal(api.candidates.session()?.sessionId, session.sessionId, 'the panel shows the comparison');
  });

  it('with the judge as the reward kind, the judge grades on rubrics and the panel is told it is not a reward model', async () => {
    let judge: JudgeServer | undefined;
    try {
      judge = await startJudgeServer();
      // auto would find this engine's reward model even without a reward URL: ask for the judge.
      await setUserSetting('reward.kind', 'judge');
      await setUserSetting('reward.baseUrl', '');
      await setUserSetting('judge.baseUrl', judge.baseUrl);
      await setUserSetting('judge.model', 'fake-judge');
      const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 2 });
      const group = session?.groups[0];
      assert.ok(group);
      assert.equal(group.scorer?.kind, 'judge');
      assert.equal(group.scorer?.isRewardModel, false);
      assert.equal(group.run.isRewardModel, false);
      // No persona rubrics: one rubric (does the answer follow the system message?), one call per candidate.
      assert.equal(judge.requests.length, 2);
      for (const c of group.run.candidates) {
        const call: JudgeRequest | undefined = judge.requests.find((r) => r.user.includes(c.text));
        assert.ok(call, `candidate ${c.index} was judged`);
        assert.equal(c.reward, expectedScore(call.user));
      }
      assert.notEqual(group.run.best, undefined, 'ranked on the grades');
    } finally {
      await setUserSetting('judge.baseUrl', undefined);
      await setUserSetting('judge.model', undefined);
      await setUserSetting('reward.kind', undefined);
      await setUserSetting('reward.baseUrl', engine!.url);
      await judge?.close();
    }
  });
  it('tokens per card: each candidate of one n = 4 request has a count, exact when proven, "~" estimated otherwise, adding up to the request\'s total', async () => {
    const api = await janus();
    const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 4 });
    const run = session?.groups[0]?.run;
    assert.equal(run?.strategy, 'n', 'one request for the 4 choices');
    // Candidate i is what a single request with seed 11 + i gives; its usage is that candidate's exact count.
    const client = await api.endpointClient('generator');
    assert.ok(client && run);
    const exact: number[] = [];
    for (const c of run.candidates) {
      const single = new EndpointClient({ ...client.profile, sampling: { ...client.profile.sampling, seed: 11 + c.index } });
      let tokens: number | undefined;
      let text = '';
      for await (const event of single.generateStream({ system, prompt }, new AbortController().signal)) {
        if (event.type === 'done') [tokens, text] = [event.usage?.completionTokens, event.text];
      }
      assert.equal(text, c.text, `candidate ${c.index} is the seed ${11 + c.index} answer`);
      exact.push(tokens ?? NaN);
    }
    const counts = run.candidates.map((c) => c.tokens);
    assert.ok(counts.every((t) => typeof t === 'number' && t > 0), `a count on every card: ${JSON.stringify(counts)}`);
    assert.equal(counts.reduce<number>((a, b) => a + (b ?? 0), 0), exact.reduce((a, b) => a + b, 0), 'the counts add up to the request\'s reported total');
    run.candidates.forEach((c, i) => {
      if (!c.tokensEstimated) assert.equal(c.tokens, exact[i], `candidate ${i}: a count shown as exact is exact`);
    });
  });

  it('Compare Personas with a judge: each persona\'s answer gets its rubric scores streamed beside its reward; a persona without rubrics says so', async () => {
    const api = await janus();
    const judge: JudgeServer = await startJudgeServer();
    try {
      await setUserSetting('judge.baseUrl', judge.baseUrl);
      await setUserSetting('judge.model', 'fake-judge');
      await api.candidates.ready();
      const posted: HostMessage[] = [];
      const sub = api.candidates.onDidPost((m) => posted.push(m));
      const rubric = (criteria: string): unknown => ({ criteria, score_descriptions: { '1': 'no', '2': 'barely', '3': 'partly', '4': 'mostly', '5': 'fully' } });
      const personas = [
        { name: 'Terse', system, rubrics: [rubric('Is the answer one sentence?'), rubric('Is the answer correct?')] },
        { name: 'Poet', system: 'You are a poet; your responses rhyme.', rubrics: [rubric('Does the answer rhyme?')] },
        { name: 'Plain', system: 'You answer plainly.' },
      ];
      const session = await vscode.commands.executeCommand<PanelSession>('janus.comparePersonas', { prompt, personas });
      sub.dispose();
      assert.ok(session);
      assert.deepEqual(session.groups.map((g) => g.grading), ['judge', 'judge', 'noRubrics']);
      for (const [i, group] of session.groups.entries()) {
        const only = group.run.candidates[0];
        assert.equal(typeof only?.reward, 'number', `${group.label}: the engine's reward is still there`);
        const grades = group.run.rubricGrades;
        if (i === 2) {
          assert.equal(grades, undefined, 'no rubrics, no grades');
          continue;
        }
        assert.equal(grades?.index, 0);
        assert.equal(grades?.items.length, personas[i]!.rubrics!.length);
        for (const item of grades?.items ?? []) {
          const call = judge.requests.find((r) => r.user.includes(item.criteria) && r.user.includes(only?.text ?? '\u0000'));
          assert.ok(call, `${group.label}: the judge graded this answer on "${item.criteria}"`);
          assert.equal(item.score, expectedScore(call.user));
          assert.match(item.feedback ?? '', /Feedback/);
        }
      }
      assert.equal(judge.requests.length, 3, 'one call per rubric of each persona that has rubrics');
      // The page was sent the grades as they came and rebuilds the same columns.
      const streamed = eventsOf(posted, session.sessionId).map((m) => (m.type === 'event' ? m.event.type : ''));
      assert.equal(streamed.filter((t) => t === 'rubricGraded').length, 3);
      assert.deepEqual(pageView(posted, session.sessionId)?.groups.map((g) => g.run.rubricGrades), session.groups.map((g) => g.run.rubricGrades));
    } finally {
      await setUserSetting('judge.baseUrl', undefined);
      await setUserSetting('judge.model', undefined);
      await judge.close();
    }
  });

  it('sessions are stored in .janus/sessions: marks land in the file, and a session of an earlier window reopens and exports', async () => {
    const api = await janus();
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 2 });
    assert.ok(session);
    const file = path.join(folder, '.janus', 'sessions', `${session.sessionId}.json`);
    const replies = await api.candidates.deliver({ type: 'mark', id: 'persist-1', sessionId: session.sessionId, group: 0, index: 1, mark: 'chosen' });
    assert.ok(replies.some((r) => r.type === 'result' && r.ok));
    // The write is atomic and after the mark: wait for the file to show it (an event, not a fixed sleep, is not available from here).
    let stored: { session: PanelSession } | undefined;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      try {
        stored = JSON.parse(readFileSync(file, 'utf8')) as { session: PanelSession };
        if (stored.session.groups[0]?.marks['1'] === 'chosen') break;
      } catch {
        // not written yet
      }
    }
    assert.equal(stored?.session.groups[0]?.marks['1'], 'chosen', 'the mark is in the stored session');
    assert.deepEqual(stored?.session.groups[0]?.run.candidates.map((c) => [c.text, c.reward]), session.groups[0]!.run.candidates.map((c) => [c.text, c.reward]));
    // A session another window stored (same shape, its own id and marks) is not in this window's memory...
    const earlier = { ...stored!.session, sessionId: 'earlier-window-session', createdAt: 1, groups: stored!.session.groups.map((g) => ({ ...g, marks: { '0': 'chosen' as const, '1': 'rejected' as const } })) };
    writeFileSync(path.join(folder, '.janus', 'sessions', 'earlier-window-session.json'), JSON.stringify({ janusSession: 1, savedAt: new Date(0).toISOString(), session: earlier }));
    assert.equal(api.candidates.session('earlier-window-session'), undefined);
    // ...and opens in the panel, the page getting the whole session.
    const posted: HostMessage[] = [];
    const sub = api.candidates.onDidPost((m) => posted.push(m));
    const opened = await vscode.commands.executeCommand<PanelSession>('janus.openBestOfNSession', { sessionId: 'earlier-window-session' });
    await api.candidates.ready();
    sub.dispose();
    assert.equal(opened?.sessionId, 'earlier-window-session');
    assert.equal(api.candidates.session()?.sessionId, 'earlier-window-session', 'the panel shows it');
    assert.ok(posted.some((m) => m.type === 'session' && m.session.sessionId === 'earlier-window-session'), 'the page was sent the stored session');
    // Export reads every session: the earlier window's pair is in the file with this window's marks.
    const c = earlier.groups[0]!.run.candidates;
    const target = vscode.Uri.file(path.join(folder, '.janus', 'exports', 'stored.dpo.jsonl'));
    const result = await vscode.commands.executeCommand<ExportResult>('janus.exportPreferencePairs', { uri: target.toString(), open: false });
    const rows = readFileSync(target.fsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(rows[0], { system, prompt, chosen: c[0]!.text, rejected: c[1]!.text, chosen_reward: c[0]!.reward, rejected_reward: c[1]!.reward }, 'the earlier session comes first (oldest)');
    assert.equal(result?.skippedFiles, 0);
    const sft = readFileSync(path.join(folder, '.janus', 'exports', 'stored.sft.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { output: string });
    assert.ok(sft.some((r) => r.output === session.groups[0]!.run.candidates[1]!.text), 'this window\'s chosen answer is exported too');
  });

  it('Best-of-N with the persona\'s rubrics and a judge: every candidate graded after the ranking (the reward still ranks); Re-score grades again, old grades replaced, failures stated', async () => {
    const api = await janus();
    let failCorrect = false;
    const judge: JudgeServer = await startJudgeServer({ plan: (r) => (failCorrect && r.user.includes('Is the answer correct?') ? { kind: 'status', status: 500, message: 'judge overloaded' } : { kind: 'score' }) });
    try {
      await setUserSetting('judge.baseUrl', judge.baseUrl);
      await setUserSetting('judge.model', 'fake-judge');
      const rubric = (criteria: string): unknown => ({ criteria, score_descriptions: { '1': 'no', '2': 'barely', '3': 'partly', '4': 'mostly', '5': 'fully' } });
      const rubrics = [rubric('Is the answer one sentence?'), rubric('Is the answer correct?')];
      await api.candidates.ready();
      const posted: HostMessage[] = [];
      const sub = api.candidates.onDidPost((m) => posted.push(m));
      const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 3, rubrics });
      assert.ok(session);
      const run = session.groups[0]!.run;
      assert.equal(session.groups[0]!.scorer?.kind, 'local', 'the engine\'s reward ranks, not the judge');
      const byReward = run.candidates.map((c) => c.index).sort((a, b) => (run.candidates[b]!.reward ?? 0) - (run.candidates[a]!.reward ?? 0) || a - b);
      assert.deepEqual(run.order, byReward, 'ranked by reward');
      const gradesOf = (s: PanelSession): { index: number; text: string; items: { criteria: string; score?: number | undefined; error?: string | undefined }[] }[] =>
        s.groups[0]!.run.candidates.map((c) => ({ index: c.index, text: c.text, items: [...(c.rubricGrades ?? [])] }));
      for (const c of gradesOf(session)) {
        assert.equal(c.items.length, 2, `candidate ${c.index} graded on both rubrics`);
        for (const item of c.items) {
          const call = judge.requests.find((r) => r.user.includes(item.criteria) && r.user.includes(c.text));
          assert.ok(call, `candidate ${c.index}: the judge graded it on "${item.criteria}"`);
          assert.equal(item.score, expectedScore(call.user));
        }
      }
      assert.equal(judge.requests.length, 3 * 2, 'one call per (candidate, rubric)');
      const streamed = eventsOf(posted, session.sessionId).map((m) => (m.type === 'event' ? m.event.type : ''));
      assert.ok(streamed.indexOf('rubricGrading') > streamed.indexOf('ranked') && streamed.lastIndexOf('rubricGraded') < streamed.lastIndexOf('done'), `grades streamed after the ranking: ${streamed.join(',')}`);
      assert.deepEqual(pageView(posted, session.sessionId)?.groups[0]?.run, run, 'the page has the same grades');
      // Re-score with the judge failing one rubric: the grades are asked for again, the failed ones say why.
      failCorrect = true;
      judge.requests.splice(0);
      const sentBefore = posted.length;
      const replies = await api.candidates.deliver({ type: 'rescore', id: 'regrade-1', sessionId: session.sessionId });
      sub.dispose();
      const said = replies.find((r) => r.type === 'result');
      assert.ok(said?.type === 'result' && said.ok, JSON.stringify(replies));
      assert.match(said.message ?? '', /Re-scored with .*Rubric grading failed for 3 of 6: .*500/);
      const after = api.candidates.session(session.sessionId)!;
      assert.deepEqual(after.groups[0]!.run.order, byReward, 'the same rewards, the same ranking');
      assert.equal(judge.requests.filter((r) => r.user.includes('Is the answer one sentence?')).length, 3, 'graded again, not remembered from the run');
      for (const c of gradesOf(after)) {
        assert.equal(c.items[0]?.score, expectedScore(judge.requests.find((r) => r.user.includes('one sentence') && r.user.includes(c.text))!.user));
        assert.equal(c.items[1]?.score, undefined, 'the old grade is replaced, not kept');
        assert.match(c.items[1]?.error ?? '', /500|overloaded/);
      }
      const again = eventsOf(posted.slice(sentBefore), session.sessionId).map((m) => (m.type === 'event' ? m.event.type : ''));
      assert.ok(again.indexOf('rescoring') < again.indexOf('rubricGrading') && again.includes('rubricError'), `re-score streamed new grades: ${again.join(',')}`);
      assert.deepEqual(pageView(posted, session.sessionId)?.groups[0]?.run.candidates.map((c) => c.rubricGrades), after.groups[0]!.run.candidates.map((c) => c.rubricGrades));
      // janus.bestOfN.gradeRubrics off: no grades, no judge calls.
      await setUserSetting('bestOfN.gradeRubrics', false);
      judge.requests.splice(0);
      const plain = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt, n: 2, rubrics });
      assert.ok(plain?.groups[0]!.run.candidates.every((c) => c.rubricGrades === undefined && typeof c.reward === 'number'));
      assert.equal(judge.requests.length, 0);
    } finally {
      await setUserSetting('bestOfN.gradeRubrics', undefined);
      await setUserSetting('judge.baseUrl', undefined);
      await setUserSetting('judge.model', undefined);
      await judge.close();
    }
  });

  it('deleting a stored session removes its file and its pairs from the export', async () => {
    const api = await janus();
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    // A prompt of its own: the other tests' sessions (same seed) have the same texts.
    const own = 'Why is the sea blue?';
    const session = await vscode.commands.executeCommand<PanelSession>('janus.generateBestOfN', { prompt: own, n: 2 });
    assert.ok(session);
    const file = path.join(folder, '.janus', 'sessions', `${session.sessionId}.json`);
    for (const [index, mark] of [[0, 'chosen'], [1, 'rejected']] as const) {
      await api.candidates.deliver({ type: 'mark', id: `del-${index}`, sessionId: session.sessionId, group: 0, index, mark });
    }
    const [chosen, rejected] = session.groups[0]!.run.candidates.map((c) => c.text);
    const exported = async (name: string): Promise<Record<string, unknown>[]> => {
      const target = vscode.Uri.file(path.join(folder, '.janus', 'exports', `${name}.dpo.jsonl`));
      await vscode.commands.executeCommand<ExportResult>('janus.exportPreferencePairs', { uri: target.toString(), open: false });
      return readFileSync(target.fsPath, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const isThis = (row: Record<string, unknown>): boolean => row['prompt'] === own && row['chosen'] === chosen && row['rejected'] === rejected;
    assert.ok((await exported('before-delete')).some(isThis), 'exported while it exists');
    assert.ok(existsSync(file));
    assert.equal(await api.candidates.deleteSession(session.sessionId), true);
    assert.equal(existsSync(file), false, 'the file is gone');
    assert.equal(api.candidates.session(session.sessionId), undefined, 'and this window\'s copy');
    assert.equal((await exported('after-delete')).filter(isThis).length, 0, 'its pair is no longer exported');
    // A mark sent by a page that still showed it does not bring the file back.
    await api.candidates.deliver({ type: 'mark', id: 'del-late', sessionId: session.sessionId, group: 0, index: 0, mark: 'rejected' }).catch(() => []);
    assert.equal(existsSync(file), false);
  });
});
