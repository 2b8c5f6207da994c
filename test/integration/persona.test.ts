// Personas in the real extension host: diagnostics of persona files (with line/column, never
// touching the file), the Personas webview view resolving and answering messages, saving a valid
// file, the commands, and the active persona feeding Janus: Generate on the real local engine.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { newPersona } from '../../src/core/preferences/composer';
import { parsePersonaText } from '../../src/core/preferences/personaText';
import { serializePersona } from '../../src/core/preferences/persona';
import { starterPreferenceSet } from '../../src/core/preferences/templates';
import type { GenerateResult } from '../../src/extension/commands/generate';
import type { HostMessage } from '../../src/webview/personaEditor/protocol';
import type { RunningEngine } from '../support/engineProcess';
import { startEngine } from '../support/engineProcess';
import { getTinyModel } from '../support/tinyModelFixture';
import { janus, resetUserSettings, setUserSetting } from './support/janusHost';

function folder(): vscode.Uri {
  const first = vscode.workspace.workspaceFolders?.[0];
  assert.ok(first, 'the harness opens a workspace folder');
  return first.uri;
}

function writeWorkspaceFile(relative: string, text: string): vscode.Uri {
  const file = path.join(folder().fsPath, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return vscode.Uri.file(file);
}

/** Resolves with the diagnostics of `uri` once `check` accepts them (an event, not a sleep). */
function diagnosticsWhen(uri: vscode.Uri, check: (d: readonly vscode.Diagnostic[]) => boolean): Promise<readonly vscode.Diagnostic[]> {
  const now = vscode.languages.getDiagnostics(uri);
  if (check(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const sub = vscode.languages.onDidChangeDiagnostics(() => {
      const current = vscode.languages.getDiagnostics(uri);
      if (check(current)) {
        sub.dispose();
        resolve(current);
      }
    });
  });
}

/** The webview runs in another process (the browser): poll the host's record of its messages. */
async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function reply<T extends HostMessage['type']>(posted: readonly HostMessage[], type: T): Extract<HostMessage, { type: T }> {
  const found = posted.find((m): m is Extract<HostMessage, { type: T }> => m.type === type);
  assert.ok(found, `no ${type} reply in ${JSON.stringify(posted.map((m) => m.type))}`);
  return found;
}

const persona = newPersona('Integration tester', starterPreferenceSet());

describe('personas: files, diagnostics, view and commands', function () {
  this.timeout(120_000);

  it('reports an invalid persona file at its line and column and leaves the file as it was', async () => {
    await janus();
    const text = '{\n  "name": "Broken",\n  "preference_set": [],\n  "system": 42\n}\n';
    const uri = writeWorkspaceFile('.janus/personas/broken.persona.json', text);
    await vscode.window.showTextDocument(uri);
    const diagnostics = await diagnosticsWhen(uri, (d) => d.length >= 2);
    const system = diagnostics.find((d) => /"system" must be a string/.test(d.message));
    assert.ok(system, JSON.stringify(diagnostics.map((d) => d.message)));
    assert.equal(system.range.start.line, 3);
    assert.equal(system.range.start.character, 12);
    assert.equal(system.severity, vscode.DiagnosticSeverity.Error);
    const set = diagnostics.find((d) => /preference_set/.test(d.message));
    assert.equal(set?.range.start.line, 2);
    assert.equal(readFileSync(uri.fsPath, 'utf8'), text, 'the file is untouched');

    const syntax = writeWorkspaceFile('.janus/personas/syntax.persona.json', '{\n  "name": "x",\n}\n');
    await vscode.window.showTextDocument(syntax);
    const [error] = await diagnosticsWhen(syntax, (d) => d.length > 0);
    assert.equal(error?.range.start.line, 2);
    assert.match(error?.message ?? '', /trailing comma/);
  });

  it('puts lint findings on the words of the system message they are about', async () => {
    const system = 'You are talking to expert-level users.\n\nExplain like I\'m five, and your responses stay accurate, deep and warm in tone.';
    const uri = writeWorkspaceFile('.janus/personas/lint.persona.json', serializePersona({ ...persona, system }));
    const document = await vscode.workspace.openTextDocument(uri);
    const diagnostics = await diagnosticsWhen(uri, (d) => d.some((x) => x.code === 'multiple-paragraphs'));
    const paragraphs = diagnostics.find((d) => d.code === 'multiple-paragraphs');
    assert.equal(paragraphs?.severity, vscode.DiagnosticSeverity.Information);
    // The two newlines are written as "\n\n" in the file: four characters of the string literal.
    assert.equal(document.getText(paragraphs?.range), '\\n\\n');
    const contradiction = diagnostics.find((d) => d.code === 'contradiction-expertise');
    assert.equal(contradiction?.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(document.getText(contradiction?.range), "Explain like I'm five");
    const unreflected = diagnostics.find((d) => d.code === 'preference-not-reflected');
    assert.equal(document.getText(unreflected?.range), '"system"', 'findings about the whole message sit on its key');
  });

  it('resolves the Personas view, whose page says ready and gets the workspace', async () => {
    const api = await janus();
    await vscode.commands.executeCommand('workbench.view.extension.janus');
    await until('the Personas view resolves', () => api.personaView.isResolved());
    await until('the webview sends ready and gets the workspace', () => {
      const traffic = api.personaView.traffic();
      const ready = traffic.findIndex((t) => t.direction === 'in' && t.type === 'ready');
      return ready >= 0 && traffic.slice(ready).some((t) => t.direction === 'out' && t.type === 'workspace');
    });
  });

  it('round-trips messages: save writes a valid new file, open reads it back, bad messages get no answer', async () => {
    const api = await janus();
    const saved = reply(await api.personaView.deliver({ type: 'save', id: 's1', uri: null, baseHash: null, persona }), 'saved');
    assert.equal(saved.replyTo, 's1');
    assert.equal(saved.ok, true, saved.message);
    assert.ok(saved.uri?.endsWith('/.janus/personas/integration-tester.persona.json'), saved.uri);
    const uri = vscode.Uri.parse(saved.uri ?? '');
    const written = readFileSync(uri.fsPath, 'utf8');
    assert.equal(written, serializePersona(persona));
    assert.ok(parsePersonaText(written).ok);

    const loaded = reply(await api.personaView.deliver({ type: 'open', id: 'o1', uri: saved.uri }), 'loaded');
    assert.equal(loaded.replyTo, 'o1');
    assert.ok(loaded.result.ok);
    assert.deepEqual(loaded.result.persona, persona);
    assert.equal(loaded.result.hash, saved.hash);

    const again = reply(await api.personaView.deliver({ type: 'save', id: 's2', uri: null, baseHash: null, persona }), 'saved');
    assert.ok(again.uri?.endsWith('integration-tester-2.persona.json'), 'a second new persona never overwrites the first');

    assert.deepEqual(await api.personaView.deliver({ type: 'save', id: 's3', uri: saved.uri, baseHash: null, persona: { ...persona, name: '' } }), []);
    assert.deepEqual(await api.personaView.deliver({ type: 'open ', id: 'x', uri: saved.uri }), []);
    assert.equal(readFileSync(uri.fsPath, 'utf8'), written, 'rejected messages change nothing');
  });

  it('an edit elsewhere to the open file is reported to the view; saving over it writes through the document', async () => {
    const api = await janus();
    const uri = vscode.Uri.joinPath(folder(), '.janus/personas/integration-tester.persona.json');
    const loaded = reply(await api.personaView.deliver({ type: 'open', id: 'o2', uri: uri.toString() }), 'loaded');
    assert.ok(loaded.result.ok);
    const editor = await vscode.window.showTextDocument(uri);
    const externalChanges = (): number => api.personaView.traffic().filter((t) => t.direction === 'out' && t.type === 'externalChange').length;
    const before = externalChanges();
    const edited = editor.document.getText().replace('"Integration tester"', '"Edited in editor"');
    await editor.edit((b) => b.replace(new vscode.Range(editor.document.positionAt(0), editor.document.positionAt(editor.document.getText().length)), edited));
    await until('the view is told about the edit', () => externalChanges() === before + 1);
    // Same base as the edit: no conflict, and the unsaved editor text is replaced and saved.
    const renamed = { ...persona, name: 'Saved from view' };
    const current = reply(await api.personaView.deliver({ type: 'open', id: 'o3', uri: uri.toString() }), 'loaded');
    assert.ok(current.result.ok);
    const saved = reply(await api.personaView.deliver({ type: 'save', id: 's4', uri: uri.toString(), baseHash: current.result.hash, persona: renamed }), 'saved');
    assert.equal(saved.ok, true);
    assert.equal(externalChanges(), before + 1, 'the view\'s own save is not reported back to it as a change elsewhere');
    assert.equal(editor.document.isDirty, false);
    assert.equal(readFileSync(uri.fsPath, 'utf8'), serializePersona(renamed));
    await vscode.commands.executeCommand('undo');
    assert.match(editor.document.getText(), /Edited in editor/, 'Undo in the editor brings back the text the view replaced');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('New Persona creates a valid persona file and opens it', async () => {
    await janus();
    const created = await vscode.commands.executeCommand<string>('janus.newPersona', { name: 'Command made' });
    assert.ok(created?.endsWith('/.janus/personas/command-made.persona.json'));
    const parsed = parsePersonaText(readFileSync(vscode.Uri.parse(created).fsPath, 'utf8'));
    assert.ok(parsed.ok);
    assert.equal(parsed.persona.name, 'Command made');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), created);
  });
});

describe('personas: the active persona on the real local engine', function () {
  this.timeout(120_000);
  let engine: RunningEngine | undefined;
  const touched = ['generator.baseUrl', 'generator.maxTokens', 'generator.seed', 'systemMessage'];

  before(async () => {
    const model = await getTinyModel();
    engine = await startEngine(['--model', model.modelPath]);
    await setUserSetting('generator.baseUrl', `${engine.url}/v1`);
    await setUserSetting('generator.maxTokens', 32);
    await setUserSetting('generator.seed', 11);
    await setUserSetting('systemMessage', 'You are a terse assistant.');
  });

  after(async () => {
    const api = await janus();
    // Later suites generate with janus.systemMessage: leave no persona active.
    await api.personaView.deliver({ type: 'setActive', id: 'clear', uri: null });
    assert.equal(api.activePersona().uri, null);
    await resetUserSettings(touched);
    await engine?.stop();
  });

  it('Set Active shows the persona in the status bar and Generate uses its system message before janus.systemMessage', async () => {
    const api = await janus();
    const uri = vscode.Uri.joinPath(folder(), '.janus/personas/active.persona.json');
    const active = { ...persona, name: 'Active one', system: 'You are a pirate who answers every question with a sea shanty, and your responses rhyme.' };
    writeWorkspaceFile('.janus/personas/active.persona.json', serializePersona(active));
    const set = reply(await api.personaView.deliver({ type: 'setActive', id: 'a1', uri: uri.toString() }), 'activeSet');
    assert.equal(set.activeUri, uri.toString());
    assert.equal(api.activePersona().statusText, '$(person) Janus: Active one');

    const prompt = 'Name a colour.';
    const viaActive = await vscode.commands.executeCommand<GenerateResult>('janus.generate', { prompt });
    const explicit = await vscode.commands.executeCommand<GenerateResult>('janus.generate', { prompt, system: active.system });
    const setting = await vscode.commands.executeCommand<GenerateResult>('janus.generate', { prompt, system: 'You are a terse assistant.' });
    assert.ok(viaActive && explicit && setting);
    assert.ok(viaActive.text.length > 0);
    assert.equal(viaActive.text, explicit.text, 'same seed, same system message: the active persona was sent');
    assert.notEqual(viaActive.text, setting.text, 'the setting was not used while a persona is active');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Synthesize System Message streams from the generator into the persona file', async () => {
    const api = await janus();
    const uri = vscode.Uri.joinPath(folder(), '.janus/personas/active.persona.json');
    const text = await vscode.commands.executeCommand<string>('janus.synthesizeSystemMessage', { uri: uri.toString() });
    assert.equal(typeof text, 'string');
    const parsed = parsePersonaText(readFileSync(uri.fsPath, 'utf8'));
    assert.ok(parsed.ok);
    assert.equal(parsed.persona.system, text);
    assert.equal(api.activeRequests(), 0);
  });

  it('the view streams a synthesis as deltas and a done with the request id', async () => {
    const api = await janus();
    const posted = await api.personaView.deliver({ type: 'synthesize', id: 'y1', preferenceSet: persona.preference_set });
    const deltas = posted.filter((m) => m.type === 'synthDelta');
    assert.ok(deltas.length > 0, 'text streamed');
    assert.ok(deltas.every((m) => m.replyTo === 'y1'));
    const done = reply(posted, 'synthDone');
    assert.equal(done.replyTo, 'y1');
  });

  it('Draft Rubrics on a reply that is not rubric JSON says so and leaves the file without rubrics', async () => {
    await janus();
    const uri = vscode.Uri.joinPath(folder(), '.janus/personas/active.persona.json');
    const before = readFileSync(uri.fsPath, 'utf8');
    const count = await vscode.commands.executeCommand<number | undefined>('janus.draftRubrics', { uri: uri.toString() });
    assert.equal(count, undefined, 'the tiny model writes nonsense, never four rubrics');
    assert.equal(readFileSync(uri.fsPath, 'utf8'), before);
  });
});
