import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
// A namespace import lets esbuild drop zod's unused parts (about 370 KB of locales) from the bundle.
import * as z from 'zod';
import type { PersonaVariant } from '../../core/bestOfN/comparePersonas';
import { comparePersonas, maxPersonas, minPersonas } from '../../core/bestOfN/comparePersonas';
import { UserFacingError } from '../../core/errors';
import type { Rubric } from '../../core/preferences/persona';
import { rubricSchema } from '../../core/preferences/persona';
import type { PanelSession } from '../../webview/candidates/model';
import { newSession } from '../../webview/candidates/model';
import type { RubricLookup } from '../bestOfNSession';
import type { JanusContext } from '../context';
import { listPersonaFiles, readPersona } from '../personaStore';
import { currentSource, runWithProgress } from './bestOfN';
import { askPrompt, recentSystemMessages } from './generate';

const argsSchema = z
  .object({
    prompt: z.string().optional(),
    personas: z.array(z.object({ name: z.string(), system: z.string(), rubrics: z.array(rubricSchema).optional() })).min(minPersonas).max(maxPersonas).optional(),
    n: z.number().int().min(1).max(16).optional(),
  })
  .optional();

interface Candidate extends PersonaVariant {
  readonly rubrics?: readonly Rubric[] | undefined;
  readonly detail: string;
}

function short(text: string, length = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

/** Persona files of the workspace (valid ones), recent system messages and janus.systemMessage, without repeats. */
async function personaChoices(ctx: JanusContext): Promise<Candidate[]> {
  const found: Candidate[] = [];
  for (const file of await listPersonaFiles()) {
    try {
      const read = await readPersona(vscode.Uri.parse(file.uri));
      if (read.result.ok) found.push({ name: read.result.persona.name, system: read.result.persona.system, rubrics: read.result.persona.rubrics, detail: file.label });
    } catch (error) {
      ctx.log.warn(`Compare Personas: skipped ${file.label} (${String(error)})`);
    }
  }
  const configured = ctx.config.settings.systemMessage;
  if (configured.trim() !== '') found.push({ name: 'janus.systemMessage', system: configured, detail: 'setting' });
  recentSystemMessages(ctx).forEach((system, i) => found.push({ name: `Recent ${i + 1}`, system, detail: 'recent system message' }));
  const seen = new Set<string>();
  return found.filter((c) => c.system.trim() !== '' && !seen.has(c.system) && seen.add(c.system));
}

/** Whether the persona's answer is graded on its rubrics, as the panel tells it. */
function gradingOf(persona: Candidate, judge: boolean): 'judge' | 'noJudge' | 'noRubrics' {
  if (!persona.rubrics || persona.rubrics.length === 0) return 'noRubrics';
  return judge ? 'judge' : 'noJudge';
}

async function pickPersonas(ctx: JanusContext): Promise<Candidate[] | undefined> {
  const choices = await personaChoices(ctx);
  if (choices.length < minPersonas) {
    throw new UserFacingError(`Compare Personas needs at least ${minPersonas} system messages: create persona files (Janus: New Persona) or generate with other system messages first.`);
  }
  type Item = vscode.QuickPickItem & { readonly candidate: Candidate };
  const items: Item[] = choices.map((candidate) => ({ label: candidate.name, description: candidate.detail, detail: short(candidate.system, 120), candidate }));
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, { title: 'Janus: Compare Personas', placeHolder: `Pick ${minPersonas} to ${maxPersonas} personas`, canPickMany: true, ignoreFocusOut: true });
    if (!picked) return undefined;
    if (picked.length >= minPersonas && picked.length <= maxPersonas) return picked.map((p) => p.candidate);
    void vscode.window.showWarningMessage(`Pick ${minPersonas} to ${maxPersonas} personas (you picked ${picked.length}).`);
  }
}

/**
 * Janus: Compare Personas. The same prompt under 2-4 system messages, answered at once through the
 * shared scheduler and scored by the same scorer, side by side in the candidates panel.
 */
export async function comparePersonasCommand(ctx: JanusContext, rawArgs?: unknown): Promise<PanelSession | undefined> {
  const parsedArgs = argsSchema.safeParse(rawArgs);
  const args = parsedArgs.success ? parsedArgs.data : undefined;
  if (!ctx.config.profile('generator')) throw new UserFacingError('No generator endpoint is configured: set janus.generator.baseUrl.');
  const source = currentSource();
  const prompt = args?.prompt ?? (await askPrompt('Janus: Compare Personas'));
  if (prompt === undefined || prompt.trim() === '') return undefined;
  const personas: readonly Candidate[] | undefined = args?.personas?.map((p) => ({ ...p, detail: '' })) ?? (await pickPersonas(ctx));
  if (!personas) return undefined;
  const rubrics: RubricLookup = (system) => personas.find((p) => p.system === system)?.rubrics;
  const n = args?.n ?? 1;
  const judge = ctx.config.profile('judge') !== undefined;

  const session = newSession({
    sessionId: randomUUID(),
    mode: 'compare',
    prompt,
    groups: personas.map((p) => ({ label: p.name, system: p.system, grading: gradingOf(p, judge) })),
    hasSelection: source?.selection !== undefined,
    createdAt: Date.now(),
  });
  ctx.bestOfN.add(session, source, rubrics);
  ctx.candidates.show(session.sessionId);
  return runWithProgress(ctx, session.sessionId, `Janus: comparing ${personas.length} personas`, async function* (signal) {
    const setup = await ctx.bestOfNResources.setup(n, rubrics, signal);
    const variants = personas.map((p) => ({ name: p.name, system: p.system, rubrics: p.rubrics }));
    for await (const event of comparePersonas({ ...setup, prompt, personas: variants, n, signal, runId: session.sessionId })) {
      if (event.type === 'persona') yield { group: event.persona, event: event.event };
    }
  });
}
