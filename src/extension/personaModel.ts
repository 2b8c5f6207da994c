import { UserFacingError } from '../core/errors';
import type { EndpointClient, GenerateOptions } from '../core/endpoints/client';
import type { PreferenceItem, Rubric } from '../core/preferences/persona';
import type { PromptMessages } from '../core/prompts/personaPrompts';
import { cleanSynthesisReply, parseRubricDraftReply, rubricDraftPrompt, synthesisPrompt } from '../core/prompts/personaPrompts';
import type { JanusContext } from './context';

/** Streams one prompt through a client; `onDelta` sees each piece, the result is the whole reply. */
async function streamReply(client: EndpointClient, prompt: PromptMessages, signal: AbortSignal, onDelta: (text: string) => void, options: GenerateOptions = {}): Promise<string> {
  let text = '';
  for await (const event of client.generateStream({ system: prompt.system, prompt: prompt.user }, signal, options)) {
    if (event.type === 'done') return event.text;
    text += event.text;
    onDelta(event.text);
  }
  return text;
}

/**
 * A system message written by the generator for this preference set (as the Multifaceted
 * Collection's pipeline did), streamed through `onDelta` and cleaned at the end.
 */
export async function synthesizeSystemMessage(ctx: JanusContext, preferenceSet: readonly PreferenceItem[], signal: AbortSignal, onDelta: (text: string) => void): Promise<string> {
  const client = await ctx.clients.get('generator');
  if (!client) throw new UserFacingError('No generator endpoint is configured: set janus.generator.baseUrl, or start the local engine.');
  const reply = await streamReply(client, synthesisPrompt(preferenceSet), signal, onDelta);
  ctx.log.info(`Synthesised a system message of ${reply.length} characters.`);
  return cleanSynthesisReply(reply);
}

/**
 * One rubric per dimension through the judge endpoint, or the generator when no judge is set. The
 * reply is always logged: a malformed one is the user's only clue to what the model did.
 */
export async function draftRubrics(ctx: JanusContext, persona: { readonly preference_set: readonly PreferenceItem[]; readonly system: string }, signal: AbortSignal, onDelta: (text: string) => void): Promise<readonly Rubric[]> {
  const client = (await ctx.clients.get('judge')) ?? (await ctx.clients.get('generator'));
  if (!client) throw new UserFacingError('No judge or generator endpoint is configured: set janus.judge.baseUrl or janus.generator.baseUrl.');
  // JSON mode where the endpoint is chat; the prompt asks for JSON in words for the others.
  const reply = await streamReply(client, rubricDraftPrompt(persona), signal, onDelta, { jsonMode: true });
  ctx.log.info(`Rubric draft reply from the ${client.profile.role} (${reply.length} characters):\n${reply}`);
  const parsed = parseRubricDraftReply(reply, persona.preference_set.length);
  if (!parsed.ok) throw new UserFacingError(`${parsed.message} The model's reply is in the Janus log.`);
  return parsed.rubrics;
}
