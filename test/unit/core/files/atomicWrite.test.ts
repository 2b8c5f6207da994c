import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../../../src/core/files/atomicWrite';
import { useTempDir } from '../../../support/tempDir';

describe('writeFileAtomic', () => {
  const dir = useTempDir('janus-atomic-');

  it('writes pieces (several 1 MB chunks, multi-byte text across their ends) as the joined text, leaving no temp file', async () => {
    const pieces = Array.from({ length: 5000 }, (_, i) => `{"line":${i},"text":"${'é€'.repeat(100 + (i % 7))}"}\n`);
    const file = path.join(dir(), 'pieces.jsonl');
    await writeFileAtomic(file, pieces);
    assert.ok(Buffer.byteLength(pieces.join('')) > 2 * (1 << 20), 'more than one chunk');
    assert.equal(await readFile(file, 'utf8'), pieces.join(''));
    assert.deepEqual(await readdir(dir()), ['pieces.jsonl']);
  });
});
