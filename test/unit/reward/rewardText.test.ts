import assert from 'node:assert/strict';
import { openRlhfRewardText, poolingRewardText } from '../../../src/core/reward/rewardText';

const item = { system: 'You are terse.', prompt: 'Say hi.', response: 'Hi.' };

describe('Janus-RM input text', () => {
  it('is <s>[INST] {system}\\n{prompt} [/INST] {response} </s> for OpenRLHF, byte for byte', () => {
    const text = openRlhfRewardText(item);
    assert.equal(text, '<s>[INST] You are terse.\nSay hi. [/INST] Hi. </s>');
    assert.deepEqual(
      [...Buffer.from(text, 'utf8')],
      [...Buffer.from('<s>', 'utf8'), ...Buffer.from('[INST] You are terse.', 'utf8'), 0x0a, ...Buffer.from('Say hi. [/INST] Hi.', 'utf8'), 0x20, ...Buffer.from('</s>', 'utf8')],
    );
  });

  it('has no leading <s> for vLLM /pooling, whose tokenizer adds the BOS', () => {
    assert.equal(poolingRewardText(item), '[INST] You are terse.\nSay hi. [/INST] Hi. </s>');
    assert.equal(openRlhfRewardText(item), `<s>${poolingRewardText(item)}`);
  });

  it('keeps the response exactly as generated and always adds one space before </s>', () => {
    assert.equal(openRlhfRewardText({ ...item, response: ' lead and trail \n' }), '<s>[INST] You are terse.\nSay hi. [/INST]  lead and trail \n </s>');
    assert.equal(openRlhfRewardText({ ...item, response: '' }), '<s>[INST] You are terse.\nSay hi. [/INST]  </s>');
  });

  it('strips the joined system and prompt like the generation text (empty system: no leading newline)', () => {
    assert.equal(openRlhfRewardText({ system: '', prompt: 'Say hi.', response: 'Hi.' }), '<s>[INST] Say hi. [/INST] Hi. </s>');
    assert.equal(openRlhfRewardText({ system: '  Be kind.', prompt: 'Q?\n', response: 'A' }), '<s>[INST] Be kind.\nQ? [/INST] A </s>');
  });

  it('passes non-ASCII text through as UTF-8', () => {
    const text = openRlhfRewardText({ system: 'Réponds en français.', prompt: '日本は?', response: 'Oui — はい' });
    assert.equal(Buffer.from(text, 'utf8').toString('utf8'), '<s>[INST] Réponds en français.\n日本は? [/INST] Oui — はい </s>');
  });
});
