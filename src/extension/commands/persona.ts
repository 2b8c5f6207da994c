import * as vscode from 'vscode';
import * as z from 'zod';
import { EndpointError } from '../../core/endpoints/endpointError';
import { UserFacingError } from '../../core/errors';
import { newPersona as composeNewPersona } from '../../core/preferences/composer';
import type { Persona } from '../../core/preferences/persona';
import { starterPreferenceSet } from '../../core/preferences/templates';
import type { JanusContext } from '../context';
import { isPersonaPath } from '../personaFiles';
import { draftRubrics as draftRubricsWith, synthesizeSystemMessage as synthesizeWith } from '../personaModel';
import { createPersonaFile, listPersonaFiles, loadTemplates, newPersonaUri, readPersona, setPersonaField } from '../personaStore';

const targetArgs = z.object({ uri: z.string().optional() }).optional();

/** Janus: New Persona: a named persona from the first template of each dimension, opened in an editor. */
export async function newPersona(ctx: JanusContext, rawArgs?: unknown): Promise<string | undefined> {
  const args = z.object({ name: z.string().optional() }).optional().safeParse(rawArgs);
  const name = (args.success ? args.data?.name : undefined) ?? (await vscode.window.showInputBox({ title: 'Janus: New Persona', prompt: 'Name of the persona', value: 'New persona', ignoreFocusOut: true }));
  if (name === undefined || name.trim() === '') return undefined;
  const uri = await newPersonaUri(name);
  if (!uri) throw new UserFacingError('Open a folder first: personas are saved in the workspace (.janus/personas).');
  const written = await createPersonaFile(uri, composeNewPersona(name.trim(), starterPreferenceSet(await loadTemplates(ctx.log))));
  if (!written.ok) throw new UserFacingError(written.message);
  await vscode.window.showTextDocument(uri, { preview: false });
  return uri.toString();
}

/** Janus: Select Active Persona: a quick pick of the workspace's personas, the message as preview. */
export async function selectActivePersona(ctx: JanusContext): Promise<string | null | undefined> {
  type Item = vscode.QuickPickItem & { readonly uri: vscode.Uri | null };
  const items: Item[] = [];
  for (const file of await listPersonaFiles()) {
    const uri = vscode.Uri.parse(file.uri);
    const read = await readPersona(uri).catch(() => undefined);
    const persona = read?.result.ok ? read.result.persona : undefined;
    items.push({
      label: `${file.uri === ctx.personas.uri ? '$(check) ' : ''}${persona?.name ?? file.label.split('/').pop() ?? file.label}`,
      description: file.label,
      detail: persona ? persona.system : '$(warning) not a valid persona file: open it to see the problems',
      uri,
    });
  }
  items.push({ label: '$(circle-slash) No active persona', detail: 'Janus: Generate uses janus.systemMessage, or asks.', uri: null });
  const picked = await vscode.window.showQuickPick(items, { title: 'Janus: Select Active Persona', placeHolder: 'Janus: Generate will use this persona\'s system message', matchOnDescription: true, matchOnDetail: true });
  if (!picked) return undefined;
  await ctx.personas.set(picked.uri);
  return picked.uri?.toString() ?? null;
}

/** The persona file a command works on: its argument, the active editor's persona file, or the active persona. */
async function targetPersona(ctx: JanusContext, rawArgs: unknown): Promise<{ readonly uri: vscode.Uri; readonly persona: Persona }> {
  const args = targetArgs.safeParse(rawArgs);
  const editor = vscode.window.activeTextEditor?.document.uri;
  const uri = (args.success && args.data?.uri ? vscode.Uri.parse(args.data.uri) : undefined)
    ?? (editor && isPersonaPath(editor.path) ? editor : undefined)
    ?? (ctx.personas.uri ? vscode.Uri.parse(ctx.personas.uri) : undefined);
  if (!uri) throw new UserFacingError('Open a *.persona.json file or select an active persona first ("Janus: Select Active Persona").');
  const read = await readPersona(uri);
  if (!read.result.ok) {
    const first = read.result.problems[0];
    throw new UserFacingError(`${vscode.workspace.asRelativePath(uri)} is not a valid persona${first ? ` (line ${first.line + 1}, column ${first.column + 1}: ${first.message})` : ''}. Fix it first.`);
  }
  return { uri, persona: read.result.persona };
}

/** Runs model work under a cancellable notification; core sees only the AbortSignal. */
async function withCancellableProgress<T>(ctx: JanusContext, title: string, work: (signal: AbortSignal, report: (delta: string) => void) => Promise<T>): Promise<T | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const request = ctx.requests.begin(token);
    let chars = 0;
    try {
      return await work(request.signal, (delta) => {
        chars += delta.length;
        progress.report({ message: `${chars} characters` });
      });
    } catch (error) {
      if (error instanceof EndpointError && error.kind === 'cancelled') return undefined;
      throw error;
    } finally {
      request.end();
    }
  });
}

/** Janus: Synthesize System Message: the generator writes the `system` field of the persona file. */
export async function synthesizeSystemMessage(ctx: JanusContext, rawArgs?: unknown): Promise<string | undefined> {
  const { uri, persona } = await targetPersona(ctx, rawArgs);
  const text = await withCancellableProgress(ctx, `Janus: synthesizing the system message of ${persona.name}`, (signal, report) => synthesizeWith(ctx, persona.preference_set, signal, report));
  if (text === undefined) return undefined;
  if (!(await setPersonaField(uri, ['system'], text))) throw new UserFacingError(`Could not write the system message into ${vscode.workspace.asRelativePath(uri)}.`);
  return text;
}

/** Janus: Draft Rubrics for Persona: one 1-5 rubric per dimension, written into `rubrics`. */
export async function draftRubrics(ctx: JanusContext, rawArgs?: unknown): Promise<number | undefined> {
  const { uri, persona } = await targetPersona(ctx, rawArgs);
  const rubrics = await withCancellableProgress(ctx, `Janus: drafting rubrics for ${persona.name}`, (signal, report) => draftRubricsWith(ctx, persona, signal, report));
  if (rubrics === undefined) return undefined;
  if (!(await setPersonaField(uri, ['rubrics'], rubrics))) throw new UserFacingError(`Could not write the rubrics into ${vscode.workspace.asRelativePath(uri)}.`);
  void vscode.window.showInformationMessage(`Drafted ${rubrics.length} rubrics into ${vscode.workspace.asRelativePath(uri)}. Review them before evaluating.`);
  return rubrics.length;
}
