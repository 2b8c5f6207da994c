/**
 * Final result files are written to a temp file in the same folder and renamed over the target, so
 * a crash or a full disk mid-write leaves either the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * `text` may be pieces (e.g. the lines of a large file), written in chunks of about 1 MB so the
 * whole text never has to be one string in memory.
 */
export async function writeFileAtomic(file: string, text: string | Iterable<string>): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  // Same folder as the target: rename is only atomic within one file system.
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      if (typeof text === 'string') {
        await handle.writeFile(text, 'utf8');
      } else {
        let chunk = '';
        for (const piece of text) {
          chunk += piece;
          if (chunk.length >= 1 << 20) {
            await handle.write(chunk);
            chunk = '';
          }
        }
        await handle.write(chunk);
      }
      // Without fsync a power cut after rename can leave an empty file on some file systems.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
