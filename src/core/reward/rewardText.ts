/**
 * The exact text a Janus-RM reads. Janus-RM-7B takes its score at the final EOS token of
 * `prompt_text + response + " " + eos`, where `prompt_text` is the Janus generation text
 * `[INST] {system}\n{prompt} [/INST] ` (see `formatJanusPrompt`). Every byte matters: a missing
 * space before the EOS or a second BOS moves the score compared with training.
 *
 * Choices, each checked by a byte-for-byte unit test:
 * - The response is used as generated, untrimmed: the RM scores exactly what the user sees, and
 *   the single space between `[/INST]` and the response is the one `prompt_text` already ends in.
 * - One space, then the EOS literal `</s>`, always appended: even when the response itself ends in
 *   whitespace, because training appended `" " + eos` unconditionally.
 * - OpenRLHF's reward server (`openrlhf.cli.serve_rm`) tokenizes with `add_special_tokens=False`
 *   (it applies no template and adds no BOS), so its text starts with the BOS literal `<s>`, parsed
 *   as the BOS token. (Older versions stripped `<s>`/`</s>` characters from both ends, appended one
 *   EOS and let the tokenizer add the BOS: the same tokens for this text.)
 * - vLLM's `/classify` tokenizes with the model's default `add_special_tokens=True`, which already
 *   adds Mistral's BOS: its text has no leading `<s>` (a second BOS would be a different input).
 *   The trailing `</s>` is parsed as the EOS special token there too.
 * - The local engine parses special tokens, adds the BOS unless the text starts with one and adds
 *   no EOS, so it reads either variant identically; it is sent the OpenRLHF text because it serves
 *   `/get_reward` too.
 */
import type { JanusInput } from '../prompts/janusFormat';
import { formatJanusPrompt } from '../prompts/janusFormat';

/** Mistral's BOS and EOS as text: both Janus-RM servers parse them into the special tokens. */
export const bosText = '<s>';
export const eosText = '</s>';

/** One candidate to score: the persona's system message, the user's prompt and the answer. */
export interface RewardItem extends JanusInput {
  readonly response: string;
}

/** `[INST] {system}\n{prompt} [/INST] {response} </s>`: the RM text without BOS. */
function rewardBody(item: RewardItem): string {
  return `${formatJanusPrompt(item)}${item.response} ${eosText}`;
}

/** For OpenRLHF's `/get_reward` (and the local engine): `<s>[INST] {system}\n{prompt} [/INST] {response} </s>`. */
export function openRlhfRewardText(item: RewardItem): string {
  return `${bosText}${rewardBody(item)}`;
}

/** For vLLM's `/pooling`, whose tokenizer adds the BOS itself: `[INST] {system}\n{prompt} [/INST] {response} </s>`. */
export function poolingRewardText(item: RewardItem): string {
  return rewardBody(item);
}
