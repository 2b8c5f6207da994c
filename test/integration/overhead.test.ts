// The extension's own cost per streamed request: time to first text through `janus.generate`
// against a direct `openai` client call to the same local engine, interleaved in one run so the
// machine's noise hits both. Recorded for the closing report; the only assertion is that the
// extension streamed the same text the server sent.
import * as assert from 'node:assert/strict';
import { OpenAI } from 'openai';
import * as vscode from 'vscode';
import { formatJanusPrompt } from '../../src/core/prompts/janusFormat';
import type { GenerateResult } from '../../src/extension/commands/generate';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import { janusExtension, median, recordMeasurement, resetUserSettings, setUserSetting } from './support/janusHost';

const input = { system: 'You are terse.', prompt: 'Say something.' };
const maxTokens = 8;
const runs = 7;

async function directFirstText(client: OpenAI): Promise<{ ms: number; text: string }> {
  const started = performance.now();
  const stream = await client.completions.create({
    model: 'janus-tiny-test',
    prompt: formatJanusPrompt(input),
    stream: true,
    max_tokens: maxTokens,
    temperature: 1,
    top_p: 0.9,
    seed: 7,
    repetition_penalty: 1.03,
  } as OpenAI.CompletionCreateParamsStreaming);
  let ms: number | undefined;
  let text = '';
  for await (const chunk of stream) {
    const piece = chunk.choices[0]?.text ?? '';
    if (piece !== '') ms ??= performance.now() - started;
    text += piece;
  }
  assert.ok(ms !== undefined, 'the engine sent no text');
  return { ms, text };
}

/** Time from running the command to the first text visible in the new document. */
async function extensionFirstText(): Promise<{ ms: number; commandMs: number; editMs: number; text: string }> {
  const started = performance.now();
  let visibleMs: number | undefined;
  const seen = (document: vscode.TextDocument): void => {
    if (document.uri.scheme === 'untitled' && document.getText().length > 0) visibleMs ??= performance.now() - started;
  };
  // The output document opens with its first text, later text arrives as edits.
  const subs = [vscode.workspace.onDidOpenTextDocument(seen), vscode.workspace.onDidChangeTextDocument((e) => seen(e.document))];
  try {
    const result = await vscode.commands.executeCommand<GenerateResult>('janus.generate', input);
    assert.ok(result?.firstTextMs !== undefined && result.firstEditMs !== undefined && visibleMs !== undefined, 'no text reached the editor');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    return { ms: visibleMs, commandMs: result.firstTextMs, editMs: result.firstEditMs, text: result.text };
  } finally {
    for (const sub of subs) sub.dispose();
  }
}

describe('overhead: time to first text, extension vs direct client', function () {
  this.timeout(180_000);
  let engine: RunningEngine | undefined;

  before(async () => {
    const model = await getTinyModel();
    engine = await startEngine(['--model', model.modelPath]);
    await setUserSetting('generator.baseUrl', `${engine.url}/v1`);
    await setUserSetting('generator.maxTokens', maxTokens);
    await setUserSetting('generator.seed', 7);
  });

  after(async () => {
    await resetUserSettings(['generator.baseUrl', 'generator.maxTokens', 'generator.seed']);
    await engine?.stop();
  });

  it('streams the text the server sends, and records the added latency', async () => {
    const extension = await janusExtension();
    assert.ok(engine);
    const client = new OpenAI({ baseURL: `${engine.url}/v1`, apiKey: 'no-key', maxRetries: 0 });
    // Warm both paths (connections, JIT, the first document) before measuring.
    await directFirstText(client);
    await extensionFirstText();
    const direct: number[] = [];
    const visible: number[] = [];
    const command: number[] = [];
    const edit: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which path goes first, so neither always runs right after the other's cleanup.
      const d = i % 2 === 0 ? await directFirstText(client) : undefined;
      const e = await extensionFirstText();
      const directRun = d ?? (await directFirstText(client));
      assert.equal(e.text, directRun.text, 'the editor got exactly the text the server streamed');
      direct.push(directRun.ms);
      visible.push(e.ms);
      command.push(e.commandMs);
      edit.push(e.editMs);
    }
    recordMeasurement(extension.extensionPath, 'firstTextOverhead', {
      runs,
      directMedianMs: median(direct),
      extensionToFirstDeltaMedianMs: median(command),
      extensionToFirstEditMedianMs: median(edit),
      extensionToVisibleTextMedianMs: median(visible),
      addedToFirstDeltaMs: median(command) - median(direct),
      addedToVisibleTextMs: median(visible) - median(direct),
    });
  });
});
