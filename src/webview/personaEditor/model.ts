/**
 * The persona editor's state and every change the form can make to it, as pure functions: the
 * webview script only renders this state and calls these, so the rules (recompose unless the
 * message was edited by hand, what counts as unsaved, when saving is allowed) are unit-tested.
 */
import * as z from 'zod';
import { composeSystemMessage } from '../../core/preferences/composer';
import type { DimensionId } from '../../core/preferences/dimensions';
import { DIMENSION_IDS, DIMENSIONS } from '../../core/preferences/dimensions';
import type { LintResult } from '../../core/preferences/lint';
import { analyzeCoverage, lintPersona } from '../../core/preferences/lint';
import type { Persona, PreferenceItem } from '../../core/preferences/persona';
import { personaSchema } from '../../core/preferences/persona';
import { fileProblemSchema, templateSchema } from './protocol';

const itemSchema = z.object({ dimension: z.enum(DIMENSION_IDS), subdimension: z.string(), preference: z.string(), description: z.string() });
export type DraftItem = z.infer<typeof itemSchema>;
export type Template = z.infer<typeof templateSchema>;

/** Everything the view shows; also what `setState` keeps while the view is hidden. */
export const editorStateSchema = z.object({
  /** The file being edited; null for a new, unsaved persona. */
  uri: z.string().nullable(),
  label: z.string().nullable(),
  name: z.string(),
  /** One item per dimension, in `DIMENSION_IDS` order. */
  items: z.array(itemSchema),
  system: z.string(),
  /** True once the user typed into the message: composition then leaves it alone. */
  systemEdited: z.boolean(),
  /** Hash of the file text this edit started from (null when new). */
  baseHash: z.string().nullable(),
  /** The persona as last loaded or saved, to tell whether there are unsaved changes. */
  savedJson: z.string().nullable(),
  /** Problems of the opened file when it is not a valid persona; the form is then read-only. */
  problems: z.array(fileProblemSchema).nullable(),
  /** The file changed elsewhere while this view had it open. */
  externalHash: z.string().nullable(),
  /** The running synthesis request, if any. */
  synthId: z.string().nullable(),
  /** One line of feedback (saved, failed, cancelled). */
  status: z.string(),
  /** Fields of the persona file the form does not edit, kept as they were. */
  extra: z.object({ $schema: z.string().optional(), notes: z.string().optional(), rubrics: z.unknown().optional() }),
});
export type EditorState = z.infer<typeof editorStateSchema>;

function emptyItem(dimension: DimensionId): DraftItem {
  const sub = DIMENSIONS.find((d) => d.id === dimension)?.subdimensions[0]?.id ?? '';
  return { dimension, subdimension: sub, preference: '', description: '' };
}

/** A new persona: the first template of each dimension, the message composed. */
export function newEditorState(templates: readonly Template[]): EditorState {
  const items = DIMENSION_IDS.map((dimension) => {
    const first = templates.find((t) => t.dimension === dimension);
    return first ? toItem(first) : emptyItem(dimension);
  });
  const state: EditorState = {
    uri: null, label: null, name: 'New persona', items, system: composeSystemMessage(items), systemEdited: false,
    baseHash: null, savedJson: null, problems: null, externalHash: null, synthId: null, status: '', extra: {},
  };
  // An untouched new persona has nothing to lose: switching away from it asks nothing.
  return { ...state, savedJson: JSON.stringify(toPersonaValue(state)) };
}

function toItem(t: DraftItem): DraftItem {
  return { dimension: t.dimension, subdimension: t.subdimension, preference: t.preference, description: t.description };
}

/** The form's items in dimension order, whatever order the file keeps them in. */
function itemsInOrder(set: readonly PreferenceItem[]): DraftItem[] {
  return DIMENSION_IDS.map((dimension) => {
    const found = set.find((item) => item.dimension === dimension);
    return found ? toItem(found) : emptyItem(dimension);
  });
}

/** The state for a persona read from a file. A message that differs from the composed one counts as hand-written. */
export function loadedEditorState(uri: string, label: string, persona: Persona, hash: string): EditorState {
  const items = itemsInOrder(persona.preference_set);
  const extra: EditorState['extra'] = {};
  if (persona.$schema !== undefined) extra.$schema = persona.$schema;
  if (persona.notes !== undefined) extra.notes = persona.notes;
  if (persona.rubrics !== undefined) extra.rubrics = persona.rubrics;
  const state: EditorState = {
    uri, label, name: persona.name, items, system: persona.system,
    systemEdited: persona.system !== composeSystemMessage(items),
    baseHash: hash, savedJson: null, problems: null, externalHash: null, synthId: null, status: '', extra,
  };
  return { ...state, savedJson: JSON.stringify(toPersonaValue(state)) };
}

/** A file that is not a valid persona: show its problems, keep nothing that could be saved over it. */
export function invalidFileState(uri: string, label: string, problems: EditorState['problems']): EditorState {
  return { ...newEditorState([]), uri, label, name: '', problems, status: '' };
}

function toPersonaValue(state: EditorState): unknown {
  // Keeps the file's own order of preference items out of it: saving writes dimension order.
  return {
    ...(state.extra.$schema === undefined ? {} : { $schema: state.extra.$schema }),
    name: state.name,
    preference_set: state.items,
    system: state.system,
    ...(state.extra.rubrics === undefined ? {} : { rubrics: state.extra.rubrics }),
    ...(state.extra.notes === undefined ? {} : { notes: state.extra.notes }),
  };
}

export type PersonaCheck = { readonly ok: true; readonly persona: Persona } | { readonly ok: false; readonly message: string };

/** The persona the form describes, or why it cannot be saved yet. */
export function personaFromState(state: EditorState): PersonaCheck {
  if (state.problems) return { ok: false, message: 'The file has problems; fix them in the editor first.' };
  const parsed = personaSchema.safeParse(toPersonaValue(state));
  if (parsed.success) return { ok: true, persona: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue ? issue.path.map(String).join('.') : '';
  const field = where.replace(/^preference_set\.(\d)\./, (_m, i: string) => `${DIMENSION_IDS[Number(i)] ?? i} `);
  return { ok: false, message: `Fill in ${field || 'every field'} before saving.` };
}

/** Edits that would be lost: anything differing from what was last loaded, saved or started. */
export function isDirty(state: EditorState): boolean {
  if (state.problems) return false;
  return state.savedJson !== JSON.stringify(toPersonaValue(state));
}

/** Save is offered for edits and for a new persona that has no file yet. */
export function canSave(state: EditorState): boolean {
  return state.problems === null && state.synthId === null && (state.uri === null || isDirty(state));
}

function recomposed(state: EditorState): EditorState {
  return state.systemEdited ? state : { ...state, system: composeSystemMessage(state.items) };
}

function replaceItem(state: EditorState, dimension: DimensionId, item: DraftItem): EditorState {
  return recomposed({ ...state, items: state.items.map((current) => (current.dimension === dimension ? item : current)) });
}

function itemOf(state: EditorState, dimension: DimensionId): DraftItem {
  return state.items.find((item) => item.dimension === dimension) ?? emptyItem(dimension);
}

/** Picks a subdimension; the preference becomes that subdimension's first template, if any. */
export function withSubdimension(state: EditorState, dimension: DimensionId, subdimension: string, templates: readonly Template[]): EditorState {
  const first = templates.find((t) => t.dimension === dimension && t.subdimension === subdimension);
  const current = itemOf(state, dimension);
  return replaceItem(state, dimension, first ? toItem(first) : { ...current, subdimension });
}

/** Picks a template: its phrase and description replace the item's. */
export function withTemplate(state: EditorState, template: Template): EditorState {
  return replaceItem(state, template.dimension, toItem(template));
}

/** Typed into the phrase or description of a dimension (a custom preference). */
export function withItemText(state: EditorState, dimension: DimensionId, field: 'preference' | 'description', text: string): EditorState {
  return replaceItem(state, dimension, { ...itemOf(state, dimension), [field]: text });
}

/** Typed into the system message: it is hand-written unless it equals the composed text again. */
export function withSystem(state: EditorState, system: string): EditorState {
  return { ...state, system, systemEdited: system !== composeSystemMessage(state.items) };
}

/** The Recompose / Compose button: drop hand edits, compose from the preferences. */
export function recompose(state: EditorState): EditorState {
  return { ...state, system: composeSystemMessage(state.items), systemEdited: false };
}

/** A synthesised message counts as the user's text: later preference changes must not erase it. */
export function withSynthesized(state: EditorState, system: string): EditorState {
  return { ...state, system, systemEdited: true, synthId: null };
}

/** Templates of one dimension and subdimension, for the preference select. */
export function templatesOf(templates: readonly Template[], dimension: DimensionId, subdimension: string): Template[] {
  return templates.filter((t) => t.dimension === dimension && t.subdimension === subdimension);
}

/** The subdimensions to offer: the known ones, the templates' and the item's own (the set is open). */
export function subdimensionsOf(templates: readonly Template[], dimension: DimensionId, current: string): string[] {
  const known = DIMENSIONS.find((d) => d.id === dimension)?.subdimensions.map((s) => s.id) ?? [];
  const fromTemplates = templates.filter((t) => t.dimension === dimension).map((t) => t.subdimension);
  return [...new Set([...known, ...fromTemplates, ...(current === '' ? [] : [current])])];
}

export interface LintView {
  /** Dimensions the message speaks to, in `DIMENSION_IDS` order, and whether each is covered. */
  readonly coverage: readonly { readonly dimension: DimensionId; readonly label: string; readonly covered: boolean }[];
  readonly results: readonly LintResult[];
}

/** Coverage chips and findings for the current message against the current preferences. */
export function lintView(state: EditorState): LintView {
  const covered = analyzeCoverage(state.system).covered;
  const coverage = DIMENSIONS.map((d) => ({ dimension: d.id, label: d.label, covered: covered.includes(d.id) }));
  return { coverage, results: lintPersona({ preference_set: state.items.map(toItem), system: state.system }) };
}
