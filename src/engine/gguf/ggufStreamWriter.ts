import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open, rename, rm } from 'node:fs/promises';
import type { GgufDocument, GgufTensorInfo } from './ggufWriter';
import { encodeGgufHeader, ggmlTensorByteSize } from './ggufWriter';

/**
 * Writes a GGUF file tensor by tensor: the header is computed from names, shapes and types only,
 * then each tensor's `write` callback emits its bytes in chunks, so a multi-GB model never sits
 * in memory. The file appears under its name only when complete (temp file, then rename).
 */

export interface GgufStreamTensor extends GgufTensorInfo {
  /** Emits exactly the tensor's bytes (in any number of chunks, in order). */
  readonly write: (emit: (chunk: Uint8Array) => Promise<void>) => Promise<void>;
}

export interface GgufStreamProgress {
  /** 1-based index of the tensor just written, and the count. */
  readonly index: number;
  readonly count: number;
  readonly name: string;
  /** Tensor data bytes written so far, and in total. */
  readonly bytesWritten: number;
  readonly bytesTotal: number;
}

export interface GgufStreamDocument {
  readonly metadata: GgufDocument['metadata'];
  readonly tensors: readonly GgufStreamTensor[];
  readonly alignment?: number;
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
    done += bytesWritten;
  }
}

export async function writeGgufStreaming(
  path: string,
  doc: GgufStreamDocument,
  onProgress?: (progress: GgufStreamProgress) => void,
): Promise<void> {
  const alignment = doc.alignment ?? 32;
  const header = encodeGgufHeader(doc.metadata, doc.tensors, alignment);
  const sizes = doc.tensors.map((t) => ggmlTensorByteSize(t.type, t.dims));
  const bytesTotal = sizes.reduce((a, b) => a + b, 0);
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  let ok = false;
  try {
    await writeAll(handle, header);
    let bytesWritten = 0;
    for (const [i, tensor] of doc.tensors.entries()) {
      const expected = sizes[i] ?? 0;
      let written = 0;
      await tensor.write(async (chunk) => {
        written += chunk.length;
        if (written > expected) throw new Error(`GGUF tensor ${tensor.name}: more than its ${expected} bytes were produced`);
        await writeAll(handle, chunk);
      });
      if (written !== expected) throw new Error(`GGUF tensor ${tensor.name}: ${written} bytes produced, ${expected} expected`);
      const pad = (alignment - (expected % alignment)) % alignment;
      if (pad > 0) await writeAll(handle, new Uint8Array(pad));
      bytesWritten += expected;
      onProgress?.({ index: i + 1, count: doc.tensors.length, name: tensor.name, bytesWritten, bytesTotal });
    }
    ok = true;
  } finally {
    await handle.close();
    if (!ok) await rm(temp, { force: true });
  }
  await rename(temp, path);
}
