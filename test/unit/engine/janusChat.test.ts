import assert from 'node:assert/strict';
import { janusPromptFromMessages } from '../../../src/engine/llamaRuntime';

describe('chat messages in the Janus format (models without a chat template)', () => {
  it('joins system and prompt exactly as Janus was trained', () => {
    assert.equal(
      janusPromptFromMessages([
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say hi.' },
      ]),
      '[INST] You are terse.\nSay hi. [/INST] ',
    );
  });

  it('leaves no leading newline without a system message, and reads text parts', () => {
    assert.equal(janusPromptFromMessages([{ role: 'user', content: [{ type: 'text', text: 'Say hi.' }] }]), '[INST] Say hi. [/INST] ');
  });

  it('lays out later turns as Mistral-Instruct, with the system message in the first turn only', () => {
    assert.equal(
      janusPromptFromMessages([
        { role: 'system', content: 'S' },
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'c' },
      ]),
      '[INST] S\na [/INST] b</s>[INST] c [/INST] ',
    );
  });
});
