import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultSettings, restrictedSettingKeys, settingKeys } from '../../../src/core/settings';
import { commandIds } from '../../../src/extension/constants';

interface ManifestProperty {
  readonly default?: unknown;
}
interface Manifest {
  readonly activationEvents: readonly string[];
  readonly capabilities: { readonly untrustedWorkspaces: { readonly restrictedConfigurations: readonly string[] } };
  readonly contributes: {
    readonly commands: readonly { readonly command: string; readonly category: string }[];
    readonly configuration: readonly { readonly title: string; readonly properties: Readonly<Record<string, ManifestProperty>> }[];
    readonly snippets: readonly { readonly path: string }[];
    readonly viewsContainers: { readonly activitybar: readonly { readonly id: string; readonly icon: string }[] };
  };
}

const root = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const properties = Object.assign({}, ...manifest.contributes.configuration.map((section) => section.properties)) as Record<string, ManifestProperty>;

describe('package.json manifest', () => {
  it('declares exactly the settings the zod schema parses', () => {
    assert.deepEqual(Object.keys(properties).sort(), settingKeys.map((k) => `janus.${k}`).sort());
  });

  it('gives every setting the same default as the zod schema', () => {
    const defaults = defaultSettings();
    for (const key of settingKeys) {
      assert.deepEqual(properties[`janus.${key}`]?.default, defaults[key], `default of janus.${key}`);
    }
  });

  it('restricts exactly the keys the config module ignores in untrusted workspaces', () => {
    assert.deepEqual(
      [...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(),
      restrictedSettingKeys.map((k) => `janus.${k}`).sort(),
    );
  });

  it('contributes every command id the code registers, in category Janus', () => {
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), Object.values(commandIds).sort());
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'Janus');
      assert.match(c.command, /^janus\.[a-z]+[A-Z][A-Za-z]*$|^janus\.generate$/, `${c.command} is janus.verbNoun`);
    }
  });

  it('activates lazily', () => {
    for (const event of manifest.activationEvents) {
      assert.ok(event !== '*' && event !== 'onStartupFinished', `eager activation event ${event}`);
    }
  });

  it('points at files that exist', () => {
    for (const s of manifest.contributes.snippets) JSON.parse(readFileSync(path.join(root, s.path), 'utf8'));
    for (const c of manifest.contributes.viewsContainers.activitybar) assert.ok(readFileSync(path.join(root, c.icon)).length > 0);
  });
});
