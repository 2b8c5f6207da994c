// Draft Rubrics for Persona in the real extension host against a scripted judge: the tiny local
// model cannot write rubric JSON, so a small HTTP server stands in for a judge that can (and for
// one that replies with something else). The request, the file edit and the refusal are real.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import * as vscode from 'vscode';
import { newPersona } from '../../src/core/preferences/composer';
import { serializePersona } from '../../src/core/preferences/persona';
import { parsePersonaText } from '../../src/core/preferences/personaText';
import { starterPreferenceSet } from '../../src/core/preferences/templates';
import type { ReplyServer } from '../unit/core/support/replyServer';
import { jsonReply, startReplyServer } from '../unit/core/support/replyServer';
import { janus, resetUserSettings, setUserSetting } from './support/janusHost';

const rubric = (n: number): unknown => ({
  criteria: `Does the response meet preference ${n}?`,
  score_descriptions: { '1': 'Not at all.', '2': 'Barely.', '3': 'Partly.', '4': 'Mostly.', '5': 'Fully.' },
});

function chatStream(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  // Two pieces: the command must assemble a streamed reply, not read one chunk.
  const cut = Math.floor(text.length / 2);
  for (const piece of [text.slice(0, cut), text.slice(cut)]) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece } }] })}\n\n`);
  res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
}

describe('personas: Draft Rubrics for Persona through the judge endpoint', function () {
  this.timeout(60_000);
  let server: ReplyServer | undefined;
  let reply = '';
  const touched = ['judge.baseUrl', 'judge.format', 'judge.model'];
  let file = '';

  before(async () => {
    await janus();
    server = await startReplyServer((req, res) => {
      if (req.url === '/v1/models') return jsonReply(res, 200, { object: 'list', data: [{ id: 'judge', object: 'model' }] });
      if (req.url === '/v1/chat/completions') return chatStream(res, reply);
      return jsonReply(res, 404, { error: { message: 'not here' } });
    });
    await setUserSetting('judge.baseUrl', server.baseUrl);
    await setUserSetting('judge.format', 'chat');
    await setUserSetting('judge.model', 'judge');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    file = path.join(folder.uri.fsPath, '.janus', 'personas', 'rubrics.persona.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, serializePersona(newPersona('Rubric target', starterPreferenceSet())));
  });

  after(async () => {
    await resetUserSettings(touched);
    await server?.close();
  });

  it('writes one rubric per dimension into the file, asking the chat endpoint for JSON mode', async () => {
    reply = JSON.stringify({ rubrics: [1, 2, 3, 4].map(rubric) });
    const count = await vscode.commands.executeCommand<number | undefined>('janus.draftRubrics', { uri: vscode.Uri.file(file).toString() });
    assert.equal(count, 4);
    const body = server?.requests.find((r) => r.url === '/v1/chat/completions')?.body as Record<string, unknown> | undefined;
    assert.deepEqual(body?.['response_format'], { type: 'json_object' });
    const parsed = parsePersonaText(readFileSync(file, 'utf8'));
    assert.ok(parsed.ok, 'the file is still a valid persona');
    assert.equal(parsed.persona.rubrics?.length, 4);
    assert.equal(parsed.persona.rubrics?.[2]?.criteria, 'Does the response meet preference 3?');
    assert.equal(parsed.persona.name, 'Rubric target', 'the rest of the file is kept');
  });

  it('a malformed reply changes nothing in the file', async () => {
    const before = readFileSync(file, 'utf8');
    const asked = server?.requests.length ?? 0;
    reply = JSON.stringify({ rubrics: [rubric(1), { criteria: 'x', score_descriptions: { '1': 'a' } }, rubric(3), rubric(4)] });
    const count = await vscode.commands.executeCommand<number | undefined>('janus.draftRubrics', { uri: vscode.Uri.file(file).toString() });
    assert.equal(count, undefined);
    assert.ok((server?.requests.length ?? 0) > asked, 'the judge was asked');
    assert.equal(readFileSync(file, 'utf8'), before);
  });
});
