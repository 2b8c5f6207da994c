import assert from 'node:assert/strict';
import { decodedToRawOffsets, freePersonaFileName, isPersonaPath, personaSlug, textHash } from '../../../src/extension/personaFiles';

describe('persona file helpers', () => {
  it('maps offsets in a decoded JSON string to the literal in the file, across escapes', () => {
    const value = 'a\n"é" \\ b';
    const literal = JSON.stringify(value).replace('é', '\\u00e9');
    const offsets = decodedToRawOffsets(literal);
    assert.equal(offsets.length, value.length + 1);
    for (let i = 0; i < value.length; i++) {
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      assert.equal(JSON.parse(`"${literal.slice(start, end)}"`), value[i], `unit ${i}`);
    }
    assert.equal(offsets[value.length], literal.length - 1, 'the end maps to the closing quote');
  });

  it('hashes differ for any edit and agree for the same text', () => {
    assert.equal(textHash('{"a":1}'), textHash('{"a":1}'));
    assert.notEqual(textHash('{"a":1}'), textHash('{"a":2}'));
    assert.notEqual(textHash('ab'), textHash('ba'));
  });

  it('names new files after the persona and never reuses a taken name', async () => {
    assert.equal(personaSlug('Concise Expert!'), 'concise-expert');
    assert.equal(personaSlug('Élève   curieux'), 'eleve-curieux');
    assert.equal(personaSlug('???'), 'persona');
    const taken = new Set(['concise-expert.persona.json', 'concise-expert-2.persona.json']);
    assert.equal(await freePersonaFileName('Concise expert', async (f) => taken.has(f)), 'concise-expert-3.persona.json');
    assert.ok(isPersonaPath('/w/.janus/personas/x.persona.json'));
    assert.ok(!isPersonaPath('/w/x.json'));
  });
});
