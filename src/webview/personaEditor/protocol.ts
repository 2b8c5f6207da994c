/**
 * Every message between the Personas webview view and the extension host, both directions. Each
 * side treats what it receives as `unknown` until one of these zod schemas has parsed it.
 * Requests carry an `id` chosen by the webview; replies carry it back as `replyTo`, so the webview
 * never guesses which answer belongs to which question. Imported by the host and the webview, so
 * this file depends on zod and pure core modules only.
 */
import * as z from 'zod';
import { dimensionSchema, personaSchema, preferenceItemSchema } from '../../core/preferences/persona';

/** A persona file in the workspace, for the file picker. */
export const personaFileSchema = z.object({
  /** The file's URI as a string (`vscode.Uri.toString()`). */
  uri: z.string(),
  /** Workspace-relative path, shown in the picker. */
  label: z.string(),
});
export type PersonaFile = z.infer<typeof personaFileSchema>;

/** A ready preference from the built-in library or `.janus/templates/*.json`. */
export const templateSchema = z.object({
  dimension: dimensionSchema,
  subdimension: z.string(),
  preference: z.string(),
  description: z.string(),
  /** `builtin` or the template file's workspace-relative path. */
  source: z.string(),
});

/** A problem of a persona file, 0-based line/column as in the editor. */
export const fileProblemSchema = z.object({ message: z.string(), line: z.number().int(), column: z.number().int() });
export type FileProblem = z.infer<typeof fileProblemSchema>;

// ---- host -> webview -------------------------------------------------------------------------

/** Sent once after `ready`, and again when files, templates or the active persona change. */
const workspaceMessage = z.object({
  type: z.literal('workspace'),
  files: z.array(personaFileSchema),
  templates: z.array(templateSchema),
  /** URI of the active persona (the one Janus: Generate uses), or null. */
  activeUri: z.string().nullable(),
  /** Where a new persona is saved, e.g. `.janus/personas`; shown in the New hint. */
  personaFolder: z.string(),
});

/** Reply to `open`: the parsed persona, or the file's problems (the form never replaces it). */
const loadedMessage = z.object({
  type: z.literal('loaded'),
  replyTo: z.string(),
  uri: z.string(),
  label: z.string(),
  result: z.discriminatedUnion('ok', [
    z.object({
      ok: z.literal(true),
      persona: personaSchema,
      /** Hash of the text the persona was read from; sent back with `save` to detect other edits. */
      hash: z.string(),
    }),
    z.object({ ok: z.literal(false), problems: z.array(fileProblemSchema) }),
  ]),
});

/** Reply to `save`. `ok: false` with `cancelled` when the user chose not to overwrite. */
const savedMessage = z.object({
  type: z.literal('saved'),
  replyTo: z.string(),
  ok: z.boolean(),
  uri: z.string().optional(),
  label: z.string().optional(),
  hash: z.string().optional(),
  /** What went wrong, for the webview's status line. */
  message: z.string().optional(),
});

/** The open file changed outside this view (an editor, another window, the disk). */
const externalChangeMessage = z.object({ type: z.literal('externalChange'), uri: z.string(), hash: z.string() });

/** One streamed piece of a synthesised system message. */
const synthDeltaMessage = z.object({ type: z.literal('synthDelta'), replyTo: z.string(), text: z.string() });
/** The synthesis finished; `text` is the cleaned message. */
const synthDoneMessage = z.object({ type: z.literal('synthDone'), replyTo: z.string(), text: z.string() });
/** The synthesis failed or was cancelled. */
const synthErrorMessage = z.object({ type: z.literal('synthError'), replyTo: z.string(), message: z.string(), cancelled: z.boolean() });

/** Reply to `setActive`. */
const activeSetMessage = z.object({ type: z.literal('activeSet'), replyTo: z.string(), activeUri: z.string().nullable() });

export const hostMessageSchema = z.discriminatedUnion('type', [
  workspaceMessage,
  loadedMessage,
  savedMessage,
  externalChangeMessage,
  synthDeltaMessage,
  synthDoneMessage,
  synthErrorMessage,
  activeSetMessage,
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

// ---- webview -> host -------------------------------------------------------------------------

/** The webview's script runs and listens: the host may send now. */
const readyMessage = z.object({ type: z.literal('ready') });
/** Read a persona file. */
const openMessage = z.object({ type: z.literal('open'), id: z.string(), uri: z.string() });
/**
 * Write a persona. `uri` null saves a new file named after the persona in the persona folder;
 * `baseHash` is the hash of the text the edit started from (null for a new file).
 */
const saveMessage = z.object({
  type: z.literal('save'),
  id: z.string(),
  uri: z.string().nullable(),
  baseHash: z.string().nullable(),
  persona: personaSchema,
});
/** Synthesise a system message from the preference set through the generator endpoint. */
const synthesizeMessage = z.object({ type: z.literal('synthesize'), id: z.string(), preferenceSet: z.array(preferenceItemSchema) });
/** Stop the request with this id (a synthesis). */
const cancelMessage = z.object({ type: z.literal('cancel'), id: z.string() });
/** Make this saved persona file the active persona; null clears it. */
const setActiveMessage = z.object({ type: z.literal('setActive'), id: z.string(), uri: z.string().nullable() });
/** Show the file in a text editor (to fix problems the form cannot show). */
const openInEditorMessage = z.object({ type: z.literal('openInEditor'), uri: z.string() });

export const webviewMessageSchema = z.discriminatedUnion('type', [
  readyMessage,
  openMessage,
  saveMessage,
  synthesizeMessage,
  cancelMessage,
  setActiveMessage,
  openInEditorMessage,
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;
