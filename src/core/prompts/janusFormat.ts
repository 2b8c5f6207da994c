/**
 * The Janus prompt formats. Janus and Janus-RM were trained on Mistral-Instruct text with no
 * separate system role, so the exact bytes matter: a different join or a missing trailing space
 * changes what the model sees compared with training.
 */

/** One generation input: the persona's system message and the user's prompt. */
export interface JanusInput {
  readonly system: string;
  readonly prompt: string;
}

/**
 * `[INST] {system}\n{prompt} [/INST] `: system and prompt joined by one newline, the joined text
 * stripped (so an empty system message leaves no leading newline), one space after `[/INST]`.
 */
export function formatJanusPrompt(input: JanusInput): string {
  const body = `${input.system}\n${input.prompt}`.trim();
  return `[INST] ${body} [/INST] `;
}

export interface ChatMessage {
  readonly role: 'system' | 'user';
  readonly content: string;
}

/**
 * Messages for a chat endpoint. A model whose chat template has no system role gets the system
 * message folded into the user turn the same way the Janus text joins them.
 */
export function buildChatMessages(input: JanusInput, options: { readonly systemRole: boolean }): ChatMessage[] {
  if (!options.systemRole) {
    return [{ role: 'user', content: `${input.system}\n${input.prompt}`.trim() }];
  }
  const messages: ChatMessage[] = [];
  if (input.system.trim() !== '') messages.push({ role: 'system', content: input.system });
  messages.push({ role: 'user', content: input.prompt });
  return messages;
}
