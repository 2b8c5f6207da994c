// First thing to break when the manifest and the code drift apart: the extension is installed in the
// real extension host, activates, and registers every command its manifest promises.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'janus-studio.janus-studio';

interface ManifestCommand {
  command: string;
  title?: string;
}

function manifestCommands(extension: vscode.Extension<unknown>): ManifestCommand[] {
  const manifest = extension.packageJSON as { contributes?: { commands?: ManifestCommand[] } };
  return manifest.contributes?.commands ?? [];
}

function requireExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
  return extension;
}

describe('smoke: extension host', () => {
  it(`has ${EXTENSION_ID} installed`, () => {
    const extension = requireExtension();
    assert.equal(extension.packageJSON.name, 'janus-studio');
  });

  it('activates without error', async () => {
    const extension = requireExtension();
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers every command of contributes.commands', async () => {
    const extension = requireExtension();
    await extension.activate();
    const declared = manifestCommands(extension).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `declared in package.json but not registered: ${missing.join(', ')}`);
  });
});
