import assert from 'node:assert/strict';
import { buildChatMessages, formatJanusPrompt } from '../../../../src/core/prompts/janusFormat';

describe('formatJanusPrompt', () => {
  it('joins system and prompt with one newline and ends with one space after [/INST]', () => {
    assert.equal(
      formatJanusPrompt({ system: 'You are terse.', prompt: 'Name a prime.' }),
      '[INST] You are terse.\nName a prime. [/INST] ',
    );
  });

  it('leaves no leading newline when the system message is empty', () => {
    assert.equal(formatJanusPrompt({ system: '', prompt: 'Hello' }), '[INST] Hello [/INST] ');
  });

  it('strips the joined text, not the inside', () => {
    assert.equal(
      formatJanusPrompt({ system: '  Be kind.\n', prompt: 'Line one\n\nLine two  \n' }),
      '[INST] Be kind.\n\nLine one\n\nLine two [/INST] ',
    );
  });

  it('keeps non-ASCII bytes as they are', () => {
    const text = formatJanusPrompt({ system: 'Réponds en français.', prompt: '日本語？' });
    assert.deepEqual(Buffer.from(text, 'utf8'), Buffer.from('[INST] Réponds en français.\n日本語？ [/INST] ', 'utf8'));
  });
});

describe('buildChatMessages', () => {
  it('sends system and user turns when the template has a system role', () => {
    assert.deepEqual(buildChatMessages({ system: 'S', prompt: 'P' }, { systemRole: true }), [
      { role: 'system', content: 'S' },
      { role: 'user', content: 'P' },
    ]);
  });

  it('omits an empty system turn', () => {
    assert.deepEqual(buildChatMessages({ system: '', prompt: 'P' }, { systemRole: true }), [{ role: 'user', content: 'P' }]);
  });

  it('folds the system message into the user turn without a system role', () => {
    assert.deepEqual(buildChatMessages({ system: 'S', prompt: 'P' }, { systemRole: false }), [{ role: 'user', content: 'S\nP' }]);
    assert.deepEqual(buildChatMessages({ system: '', prompt: 'P' }, { systemRole: false }), [{ role: 'user', content: 'P' }]);
  });
});
