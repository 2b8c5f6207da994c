/**
 * The editor's DOM: built once, then `render` writes the state into it. Inputs the user is typing
 * in are never rewritten (that would move the caret), and selects only get new options when the
 * option list itself changed.
 */
import type { DimensionId } from '../../core/preferences/dimensions';
import { DIMENSIONS } from '../../core/preferences/dimensions';

type Attrs = Readonly<Record<string, string>>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

export interface DimensionControls {
  readonly subdimension: HTMLSelectElement;
  readonly template: HTMLSelectElement;
  readonly phrase: HTMLInputElement;
  readonly description: HTMLTextAreaElement;
  /** The collapsed section's one-line summary of the choice. */
  readonly summary: HTMLElement;
}

export interface EditorDom {
  readonly file: HTMLSelectElement;
  readonly newButton: HTMLButtonElement;
  readonly notice: HTMLElement;
  readonly problems: HTMLElement;
  readonly form: HTMLFieldSetElement;
  readonly name: HTMLInputElement;
  readonly dimensions: Readonly<Record<DimensionId, DimensionControls>>;
  readonly system: HTMLTextAreaElement;
  readonly systemNote: HTMLElement;
  readonly recompose: HTMLButtonElement;
  readonly coverage: HTMLElement;
  readonly lint: HTMLElement;
  readonly compose: HTMLButtonElement;
  readonly synthesize: HTMLButtonElement;
  readonly save: HTMLButtonElement;
  readonly setActive: HTMLButtonElement;
  readonly status: HTMLElement;
}

function labelled<T extends HTMLElement>(id: string, text: string, control: T): [HTMLLabelElement, T] {
  control.id = id;
  return [el('label', { for: id }, text), control];
}

function dimensionSection(id: DimensionId, label: string, description: string): [HTMLElement, DimensionControls] {
  const controls: DimensionControls = {
    subdimension: el('select'),
    template: el('select'),
    phrase: el('input', { type: 'text', placeholder: 'a short phrase, e.g. "succinct answers"' }),
    description: el('textarea', { rows: '3', placeholder: 'one or two sentences: what the person wants' }),
    summary: el('span', { class: 'muted summary-choice' }),
  };
  // Open by default; the summary line says what is chosen, so a collapsed section still informs.
  const section = el(
    'details',
    { class: 'dimension', 'data-dimension': id, open: '' },
    el('summary', {}, el('span', { class: 'summary-label' }, label), controls.summary),
    el('p', { class: 'muted' }, description),
    ...labelled(`sub-${id}`, 'Subdimension', controls.subdimension),
    ...labelled(`pref-${id}`, 'Preference', controls.template),
    ...labelled(`phrase-${id}`, 'Phrase', controls.phrase),
    ...labelled(`desc-${id}`, 'Description', controls.description),
  );
  return [section, controls];
}

export function buildEditor(root: HTMLElement): EditorDom {
  const file = el('select', { id: 'file' });
  const newButton = el('button', { id: 'new', type: 'button', class: 'secondary', title: 'Start a new persona from the templates' }, 'New');
  const name = el('input', { id: 'name', type: 'text', autocomplete: 'off' });
  const dims = {} as Record<DimensionId, DimensionControls>;
  const sections = DIMENSIONS.map((d) => {
    const [section, controls] = dimensionSection(d.id, d.label, d.description);
    dims[d.id] = controls;
    return section;
  });
  const system = el('textarea', { id: 'system', rows: '9', spellcheck: 'true' });
  const recompose = el('button', { id: 'recompose', type: 'button', class: 'secondary small' }, 'Recompose');
  const systemNote = el('span', { id: 'systemNote', class: 'muted' });
  const coverage = el('ul', { id: 'coverage', class: 'chips', 'aria-label': 'Dimensions the message covers' });
  const lint = el('ul', { id: 'lint', class: 'lint', 'aria-label': 'Lint findings' });
  const compose = el('button', { id: 'compose', type: 'button', class: 'secondary', title: 'Write the message from the preferences, without a model' }, 'Compose');
  const synthesize = el('button', { id: 'synthesize', type: 'button', class: 'secondary', title: 'Have the generator write the message (streams; cancellable)' }, 'Synthesize');
  const save = el('button', { id: 'save', type: 'button' }, 'Save');
  const setActive = el('button', { id: 'setActive', type: 'button', class: 'secondary', title: 'Janus: Generate will use this persona' }, 'Set Active');
  const status = el('p', { id: 'status', role: 'status', 'aria-live': 'polite', class: 'muted' });
  // The message, its lint and the actions come first: they stay in view while preferences change
  // below, in a sidebar too narrow to show everything at once.
  const form = el(
    'fieldset',
    { id: 'form', class: 'form' },
    el('legend', { class: 'visually-hidden' }, 'Persona'),
    ...labelled('name', 'Name', name),
    el('div', { class: 'row between' }, el('label', { for: 'system' }, 'System message'), el('span', { class: 'row' }, systemNote, recompose)),
    system,
    coverage,
    el('div', { class: 'row actions' }, save, setActive, compose, synthesize),
    status,
    lint,
    el('h3', {}, 'Preferences'),
    ...sections,
  );
  const notice = el('div', { id: 'notice', class: 'notice', hidden: '' });
  const problems = el('div', { id: 'problems', class: 'problems', hidden: '' });
  const fileLabel = el('label', { for: 'file' }, 'Persona file');
  file.id = 'file';
  root.replaceChildren(fileLabel, el('div', { class: 'row' }, file, newButton), notice, problems, form);
  return { file, newButton, notice, problems, form, name, dimensions: dims, system, systemNote, recompose, coverage, lint, compose, synthesize, save, setActive, status };
}

/** Sets a control's value unless the user is typing in it or it already holds it. */
export function setValue(control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string): void {
  if (control.value !== value && document.activeElement !== control) control.value = value;
}

/** Replaces a select's options when they changed, then selects `value`. */
export function setOptions(select: HTMLSelectElement, options: readonly (readonly [value: string, label: string])[], value: string): void {
  const key = JSON.stringify(options);
  if (select.dataset['options'] !== key) {
    select.replaceChildren(...options.map(([v, label]) => el('option', { value: v }, label)));
    select.dataset['options'] = key;
  }
  select.value = value;
}

/** A banner with a message and buttons. */
export function showNotice(notice: HTMLElement, text: string, actions: readonly (readonly [label: string, id: string, run: () => void])[]): void {
  notice.replaceChildren(el('p', {}, text), el('div', { class: 'row' }, ...actions.map(([label, id, run]) => {
    const button = el('button', { type: 'button', id, class: 'secondary' }, label);
    button.addEventListener('click', run);
    return button;
  })));
  notice.hidden = false;
}
