/**
 * The Personas view's script: renders the editor state (`model.ts`) into the DOM (`dom.ts`) and
 * talks to the host only through the typed protocol. Runs in the webview; imports no `vscode`.
 */
import './style.css';
import * as z from 'zod';
import type { DimensionId } from '../../core/preferences/dimensions';
import { DIMENSION_IDS } from '../../core/preferences/dimensions';
import type { EditorDom } from './dom';
import { buildEditor, el, setOptions, setValue, showNotice } from './dom';
import type { EditorState, Template } from './model';
import {
  canSave, editorStateSchema, invalidFileState, isDirty, lintView, loadedEditorState, newEditorState, personaFromState,
  recompose, subdimensionsOf, templatesOf, withItemText, withSubdimension, withSynthesized, withSystem, withTemplate,
} from './model';
import type { HostMessage, PersonaFile, WebviewMessage } from './protocol';
import { hostMessageSchema } from './protocol';
import { connectToHost } from '../shared/host';

const host = connectToHost<HostMessage, WebviewMessage>('Personas view', hostMessageSchema, onHostMessage);
const { send, nextId } = host;
const savedSchema = z.object({ editor: editorStateSchema });

let templates: Template[] = [];
let files: PersonaFile[] = [];
let activeUri: string | null = null;
let folder = '.janus/personas';
let received = false;
const restored = savedSchema.safeParse(host.getState());
let state: EditorState = restored.success ? { ...restored.data.editor, synthId: null } : newEditorState([]);
/** What each request id was for, so a reply is applied the way its request meant. */
const pending = new Map<string, 'open' | 'check' | 'save' | 'setActive'>();
/** The message (and whether it was hand-written) before a synthesis, restored on cancel or error. */
let beforeSynth = { system: '', systemEdited: false };

const app = document.getElementById('app') ?? document.body;
const dom: EditorDom = buildEditor(app);

function update(change: (current: EditorState) => EditorState): void {
  state = change(state);
  host.setState({ editor: state });
  render();
}

function openFile(uri: string, purpose: 'open' | 'check'): void {
  const id = nextId();
  pending.set(id, purpose);
  send({ type: 'open', id, uri });
}

/** Switching away from unsaved changes asks first, in the view itself. */
function guardUnsaved(proceed: () => void): void {
  if (!isDirty(state)) return proceed();
  showNotice(dom.notice, 'This persona has unsaved changes.', [
    ['Discard and continue', 'discard', () => { dom.notice.hidden = true; proceed(); }],
    ['Keep editing', 'keep', () => { dom.notice.hidden = true; render(); }],
  ]);
}

function onHostMessage(message: HostMessage): void {
  switch (message.type) {
    case 'workspace': {
      const first = !received;
      received = true;
      ({ files, templates, activeUri } = message);
      folder = message.personaFolder;
      app.setAttribute('aria-busy', 'false');
      if (first && !restored.success) state = newEditorState(templates);
      // A restored edit of a file: learn whether the file changed while the view was hidden.
      if (first && state.uri !== null && state.problems === null) openFile(state.uri, 'check');
      update((s) => s);
      return;
    }
    case 'loaded': {
      const purpose = pending.get(message.replyTo);
      pending.delete(message.replyTo);
      const { result } = message;
      if (purpose === 'check' && result.ok && (result.hash === state.baseHash || isDirty(state))) {
        if (result.hash !== state.baseHash) update((s) => ({ ...s, externalHash: result.hash }));
        return;
      }
      update(() => (result.ok ? loadedEditorState(message.uri, message.label, result.persona, result.hash) : invalidFileState(message.uri, message.label, result.problems)));
      return;
    }
    case 'saved': {
      if (pending.get(message.replyTo) !== 'save') return;
      pending.delete(message.replyTo);
      if (!message.ok || message.uri === undefined || message.hash === undefined) {
        update((s) => ({ ...s, status: message.message ?? 'Not saved.' }));
        return;
      }
      const check = personaFromState(state);
      const { uri, hash } = message;
      const label = message.label ?? uri;
      if (check.ok) update(() => ({ ...loadedEditorState(uri, label, check.persona, hash), status: `Saved ${label}.` }));
      return;
    }
    case 'externalChange':
      if (message.uri !== state.uri) return;
      if (!isDirty(state)) openFile(message.uri, 'open');
      else update((s) => ({ ...s, externalHash: message.hash }));
      return;
    case 'synthDelta':
      if (message.replyTo === state.synthId) update((s) => ({ ...s, system: s.system + message.text, systemEdited: true }));
      return;
    case 'synthDone':
      if (message.replyTo === state.synthId) update((s) => ({ ...withSynthesized(s, message.text), status: 'Synthesized by the generator.' }));
      return;
    case 'synthError':
      if (message.replyTo === state.synthId) update((s) => ({ ...s, ...beforeSynth, synthId: null, status: message.message }));
      return;
    case 'activeSet':
      activeUri = message.activeUri;
      update((s) => ({ ...s, status: 'Janus: Generate now uses this persona.' }));
      return;
  }
}

// ---- intents --------------------------------------------------------------------------------

dom.file.addEventListener('change', () => {
  const uri = dom.file.value;
  guardUnsaved(() => (uri === '' ? update(() => newEditorState(templates)) : openFile(uri, 'open')));
});
dom.newButton.addEventListener('click', () => guardUnsaved(() => update(() => newEditorState(templates))));
dom.name.addEventListener('input', () => update((s) => ({ ...s, name: dom.name.value })));
for (const dimension of DIMENSION_IDS) {
  const c = dom.dimensions[dimension];
  c.subdimension.addEventListener('change', () => update((s) => withSubdimension(s, dimension, c.subdimension.value, templates)));
  c.template.addEventListener('change', () => {
    const chosen = templates[Number(c.template.value)];
    if (chosen) update((s) => withTemplate(s, chosen));
    else c.phrase.focus();
  });
  c.phrase.addEventListener('input', () => update((s) => withItemText(s, dimension, 'preference', c.phrase.value)));
  c.description.addEventListener('input', () => update((s) => withItemText(s, dimension, 'description', c.description.value)));
}
dom.system.addEventListener('input', () => update((s) => withSystem(s, dom.system.value)));
dom.recompose.addEventListener('click', () => update(recompose));
dom.compose.addEventListener('click', () => update((s) => ({ ...recompose(s), status: 'Composed from the preferences.' })));
dom.synthesize.addEventListener('click', () => {
  if (state.synthId !== null) {
    send({ type: 'cancel', id: state.synthId });
    return;
  }
  const id = nextId();
  beforeSynth = { system: state.system, systemEdited: state.systemEdited };
  update((s) => ({ ...s, system: '', systemEdited: true, synthId: id, status: 'Synthesizing…' }));
  send({ type: 'synthesize', id, preferenceSet: state.items });
});
dom.save.addEventListener('click', () => {
  const check = personaFromState(state);
  if (!check.ok) return update((s) => ({ ...s, status: check.message }));
  const id = nextId();
  pending.set(id, 'save');
  send({ type: 'save', id, uri: state.uri, baseHash: state.baseHash, persona: check.persona });
  update((s) => ({ ...s, status: 'Saving…' }));
});
dom.setActive.addEventListener('click', () => {
  if (state.uri === null) return;
  const id = nextId();
  pending.set(id, 'setActive');
  send({ type: 'setActive', id, uri: state.uri });
});

// ---- render ---------------------------------------------------------------------------------

function renderDimension(dimension: DimensionId): void {
  const c = dom.dimensions[dimension];
  const item = state.items.find((i) => i.dimension === dimension);
  if (!item) return;
  setOptions(c.subdimension, subdimensionsOf(templates, dimension, item.subdimension).map((s) => [s, s]), item.subdimension);
  const choices = templatesOf(templates, dimension, item.subdimension);
  const selected = choices.find((t) => t.preference === item.preference && t.description === item.description);
  const options: [string, string][] = choices.map((t) => [String(templates.indexOf(t)), t.source === 'builtin' ? t.preference : `${t.preference} (${t.source})`]);
  options.push(['custom', 'Custom: write your own']);
  setOptions(c.template, options, selected ? String(templates.indexOf(selected)) : 'custom');
  c.summary.textContent = `${item.subdimension}: ${item.preference || '(no phrase)'}`;
  setValue(c.phrase, item.preference);
  setValue(c.description, item.description);
}

function renderNotices(): void {
  if (state.externalHash !== null && state.uri !== null) {
    const uri = state.uri;
    showNotice(dom.notice, 'The file changed in an editor or on disk while you edited it here.', [
      ['Reload from file', 'reload', () => openFile(uri, 'open')],
      // Keeping the edits keeps the old base: saving will ask before overwriting the other change.
      ['Keep my edits', 'keepMine', () => update((s) => ({ ...s, externalHash: null }))],
    ]);
  } else if (dom.notice.querySelector('#reload')) {
    dom.notice.hidden = true;
  }
  dom.problems.hidden = state.problems === null;
  if (state.problems !== null && state.uri !== null) {
    const uri = state.uri;
    const open = el('button', { type: 'button', id: 'openInEditor' }, 'Open in Editor');
    open.addEventListener('click', () => send({ type: 'openInEditor', uri }));
    dom.problems.replaceChildren(
      el('p', {}, `${state.label ?? 'The file'} is not a valid persona. Fix it in the editor; the view will not overwrite it.`),
      el('ul', {}, ...state.problems.map((p) => el('li', {}, `Line ${p.line + 1}, column ${p.column + 1}: ${p.message}`))),
      open,
    );
  }
}

/** In a narrow sidebar the default folder is noise: `.janus/personas/a.persona.json` -> `a`. */
function shortLabel(label: string): string {
  const inFolder = label.startsWith(`${folder}/`) ? label.slice(folder.length + 1) : label;
  return inFolder.replace(/\.persona\.json$/, '');
}

function render(): void {
  const dirty = isDirty(state);
  const fileOptions: [string, string][] = [['', state.uri === null ? 'New persona (unsaved)' : 'New persona…'], ...files.map((f): [string, string] => [f.uri, `${shortLabel(f.label)}${f.uri === activeUri ? ' (active)' : ''}`])];
  if (state.uri !== null && !files.some((f) => f.uri === state.uri)) fileOptions.push([state.uri, state.label ?? state.uri]);
  setOptions(dom.file, fileOptions, state.uri ?? '');
  dom.file.title = state.uri === null ? `Saving creates a file in ${folder}` : (state.label ?? state.uri);
  renderNotices();
  // Until the templates arrive the form would be replaced under the user's typing: wait for them.
  dom.form.disabled = !received || state.problems !== null;
  // While a synthesis streams, everything but its Cancel button holds still.
  const synthesizing = state.synthId !== null;
  for (const control of [dom.file, dom.newButton, dom.name, ...DIMENSION_IDS.flatMap((d) => [dom.dimensions[d].subdimension, dom.dimensions[d].template, dom.dimensions[d].phrase, dom.dimensions[d].description])]) {
    control.disabled = synthesizing;
  }
  dom.system.readOnly = synthesizing;
  // For an invalid file the form would show a made-up persona; the problems list is the content.
  dom.form.hidden = state.problems !== null;
  setValue(dom.name, state.name);
  for (const dimension of DIMENSION_IDS) renderDimension(dimension);
  setValue(dom.system, state.system);
  dom.recompose.hidden = !state.systemEdited;
  dom.systemNote.textContent = state.systemEdited ? 'edited by hand' : 'composed from the preferences';
  const lint = lintView(state);
  dom.coverage.replaceChildren(...lint.coverage.map((c) => el('li', { class: c.covered ? 'chip covered' : 'chip missing', title: c.covered ? 'covered' : 'not mentioned' }, `${c.covered ? '✓' : '✗'} ${c.label}`)));
  dom.lint.replaceChildren(...lint.results.map((r) => el('li', { class: r.severity }, r.message)));
  dom.synthesize.textContent = state.synthId === null ? 'Synthesize' : 'Cancel';
  dom.compose.disabled = state.problems !== null || state.synthId !== null;
  dom.save.disabled = !canSave(state);
  dom.save.textContent = dirty || state.uri === null ? 'Save ●' : 'Save';
  dom.save.title = dirty ? 'Unsaved changes' : 'No unsaved changes';
  dom.setActive.disabled = state.uri === null || state.problems !== null || synthesizing;
  dom.setActive.textContent = state.uri !== null && state.uri === activeUri ? 'Active ✓' : 'Set Active';
  dom.status.textContent = state.status || (dirty || state.uri === null ? 'Unsaved changes.' : `${state.label ?? ''} is saved.`);
}

render();
send({ type: 'ready' });
