import assert from 'node:assert/strict';
import { newPersona } from '../../../src/core/preferences/composer';
import { starterPreferenceSet } from '../../../src/core/preferences/templates';
import { hostMessageSchema, webviewMessageSchema } from '../../../src/webview/personaEditor/protocol';

const persona = newPersona('Tester', starterPreferenceSet());

describe('persona editor protocol', () => {
  it('accepts every webview message with its fields', () => {
    const messages: unknown[] = [
      { type: 'ready' },
      { type: 'open', id: '1', uri: 'file:///a.persona.json' },
      { type: 'save', id: '2', uri: null, baseHash: null, persona },
      { type: 'save', id: '3', uri: 'file:///a.persona.json', baseHash: 'abc-1', persona },
      { type: 'synthesize', id: '4', preferenceSet: persona.preference_set },
      { type: 'cancel', id: '4' },
      { type: 'setActive', id: '5', uri: 'file:///a.persona.json' },
      { type: 'openInEditor', uri: 'file:///a.persona.json' },
    ];
    for (const message of messages) assert.ok(webviewMessageSchema.safeParse(message).success, JSON.stringify(message));
  });

  it('rejects unknown types, missing ids and invalid personas', () => {
    const bad: unknown[] = [
      'ready',
      null,
      { type: 'ready ' },
      { type: 'open', uri: 'file:///a' },
      { type: 'save', id: '1', uri: null, baseHash: null, persona: { ...persona, name: ' ' } },
      { type: 'save', id: '1', uri: null, baseHash: null, persona: { ...persona, preference_set: persona.preference_set.slice(0, 3) } },
      { type: 'synthesize', id: '1', preferenceSet: [{ dimension: 'mood' }] },
    ];
    for (const message of bad) assert.equal(webviewMessageSchema.safeParse(message).success, false, JSON.stringify(message));
  });

  it('accepts every host message and rejects a reply without its request id', () => {
    const messages: unknown[] = [
      { type: 'workspace', files: [{ uri: 'file:///a', label: 'a' }], templates: [{ dimension: 'style', subdimension: 'tone', preference: 'p', description: 'd', source: 'builtin' }], activeUri: null, personaFolder: '.janus/personas' },
      { type: 'loaded', replyTo: '1', uri: 'file:///a', label: 'a', result: { ok: true, persona, hash: 'h' } },
      { type: 'loaded', replyTo: '1', uri: 'file:///a', label: 'a', result: { ok: false, problems: [{ message: 'm', line: 0, column: 1 }] } },
      { type: 'saved', replyTo: '2', ok: true, uri: 'file:///a', label: 'a', hash: 'h' },
      { type: 'saved', replyTo: '2', ok: false, message: 'Not saved' },
      { type: 'externalChange', uri: 'file:///a', hash: 'h2' },
      { type: 'synthDelta', replyTo: '4', text: 'You' },
      { type: 'synthDone', replyTo: '4', text: 'You are.' },
      { type: 'synthError', replyTo: '4', message: 'cancelled', cancelled: true },
      { type: 'activeSet', replyTo: '5', activeUri: 'file:///a' },
    ];
    for (const message of messages) assert.ok(hostMessageSchema.safeParse(message).success, JSON.stringify(message));
    assert.equal(hostMessageSchema.safeParse({ type: 'synthDelta', text: 'x' }).success, false);
    assert.equal(hostMessageSchema.safeParse({ type: 'loaded', replyTo: '1', uri: 'u', label: 'l', result: { ok: true, persona: {}, hash: 'h' } }).success, false);
  });
});
