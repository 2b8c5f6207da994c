import assert from 'node:assert/strict';
import { composeSystemMessage } from '../../../src/core/preferences/composer';
import { DIMENSION_IDS } from '../../../src/core/preferences/dimensions';
import { personaSchema } from '../../../src/core/preferences/persona';
import { BUILTIN_TEMPLATES } from '../../../src/core/preferences/templates';
import {
  canSave, invalidFileState, isDirty, lintView, loadedEditorState, newEditorState, personaFromState, recompose,
  subdimensionsOf, templatesOf, withItemText, withSubdimension, withSynthesized, withSystem, withTemplate,
} from '../../../src/webview/personaEditor/model';
import type { Template } from '../../../src/webview/personaEditor/model';
import { aPersona } from '../preferences/builders';

const templates: Template[] = [...BUILTIN_TEMPLATES];

function template(dimension: string, index: number): Template {
  const found = templates.filter((t) => t.dimension === dimension)[index];
  assert.ok(found, `template ${dimension}[${index}]`);
  return found;
}

describe('persona editor model', () => {
  it('starts a new persona from the first template of each dimension, composed, saveable and not dirty', () => {
    const state = newEditorState(templates);
    assert.deepEqual(state.items.map((i) => i.dimension), [...DIMENSION_IDS]);
    assert.equal(state.system, composeSystemMessage(state.items));
    assert.equal(state.systemEdited, false);
    assert.equal(isDirty(state), false, 'switching away from an untouched new persona loses nothing');
    assert.equal(canSave(state), true, 'a new persona has no file yet');
    const check = personaFromState(state);
    assert.ok(check.ok);
    assert.ok(personaSchema.safeParse(check.persona).success);
  });

  it('recomposes the message when a template is picked, while the message is not hand-written', () => {
    const state = newEditorState(templates);
    const picked = template('style', 5);
    const next = withTemplate(state, picked);
    assert.equal(next.items.find((i) => i.dimension === 'style')?.preference, picked.preference);
    assert.equal(next.system, composeSystemMessage(next.items));
    assert.notEqual(next.system, state.system);
    assert.equal(isDirty(next), true);
  });

  it('keeps a hand-written message when preferences change, until Recompose', () => {
    const edited = withSystem(newEditorState(templates), 'You are my own words, and your responses follow me.');
    assert.equal(edited.systemEdited, true);
    const changed = withItemText(edited, 'informativeness', 'preference', 'tangents welcome');
    assert.equal(changed.system, 'You are my own words, and your responses follow me.');
    const again = recompose(changed);
    assert.equal(again.systemEdited, false);
    assert.equal(again.system, composeSystemMessage(changed.items));
    assert.match(again.system, /tangents welcome/);
  });

  it('typing the composed text back counts as not hand-written', () => {
    const state = newEditorState(templates);
    assert.equal(withSystem(state, state.system).systemEdited, false);
  });

  it('a synthesised message is kept like a hand-written one', () => {
    const state = withSynthesized({ ...newEditorState(templates), synthId: 'x' }, 'You are synthesised.');
    assert.equal(state.systemEdited, true);
    assert.equal(state.synthId, null);
    assert.equal(withTemplate(state, template('harmlessness', 2)).system, 'You are synthesised.');
  });

  it('a subdimension brings its first template; an unknown one keeps the typed phrase', () => {
    const state = newEditorState(templates);
    const expert = withSubdimension(state, 'background_knowledge', 'expert', templates);
    assert.equal(expert.items.find((i) => i.dimension === 'background_knowledge')?.preference, templatesOf(templates, 'background_knowledge', 'expert')[0]?.preference);
    const custom = withSubdimension(state, 'style', 'whimsy', templates);
    const item = custom.items.find((i) => i.dimension === 'style');
    assert.equal(item?.subdimension, 'whimsy');
    assert.equal(item?.preference, state.items.find((i) => i.dimension === 'style')?.preference);
    assert.ok(subdimensionsOf(templates, 'style', 'whimsy').includes('whimsy'), 'the open set keeps the item\'s own subdimension');
    assert.deepEqual(subdimensionsOf(templates, 'style', 'clarity').slice(0, 5), ['clarity', 'conciseness', 'format', 'tone', 'vividness']);
  });

  it('loads a file persona in dimension order, keeps rubrics and notes, and saves them back', () => {
    const base = aPersona();
    const persona = { ...base, preference_set: [...base.preference_set].reverse(), notes: 'keep me' };
    const state = loadedEditorState('file:///p.persona.json', 'p.persona.json', persona, 'h1');
    assert.deepEqual(state.items.map((i) => i.dimension), [...DIMENSION_IDS]);
    assert.equal(isDirty(state), false);
    assert.equal(canSave(state), false);
    const renamed = { ...state, name: 'Renamed' };
    assert.equal(isDirty(renamed), true);
    const check = personaFromState(renamed);
    assert.ok(check.ok);
    assert.equal(check.persona.notes, 'keep me');
    assert.equal(check.persona.system, persona.system);
  });

  it('a loaded message that differs from the composed one counts as hand-written', () => {
    const persona = aPersona();
    assert.equal(loadedEditorState('u', 'l', { ...persona, system: 'You are custom.' }, 'h').systemEdited, true);
    assert.equal(loadedEditorState('u', 'l', { ...persona, system: composeSystemMessage(persona.preference_set) }, 'h').systemEdited, false);
  });

  it('an invalid file is read-only: nothing to save, nothing dirty', () => {
    const state = invalidFileState('file:///bad.persona.json', 'bad.persona.json', [{ message: 'Expected a value', line: 2, column: 4 }]);
    assert.equal(isDirty(state), false);
    assert.equal(canSave(state), false);
    assert.equal(personaFromState(state).ok, false);
  });

  it('refuses to save an empty field and names it', () => {
    const state = withItemText(newEditorState(templates), 'harmlessness', 'description', '');
    const check = personaFromState(state);
    assert.equal(check.ok, false);
    assert.match(check.ok ? '' : check.message, /harmlessness description/);
  });

  it('lint view: coverage chip per dimension and the persona lint findings', () => {
    const state = newEditorState(templates);
    const view = lintView(state);
    assert.deepEqual(view.coverage.map((c) => c.dimension), [...DIMENSION_IDS]);
    const bare = lintView(withSystem(state, 'Hello.'));
    assert.ok(bare.coverage.some((c) => !c.covered));
    assert.ok(bare.results.some((r) => r.code === 'too-short'));
    assert.ok(bare.results.some((r) => r.code === 'preference-not-reflected'));
  });
});
