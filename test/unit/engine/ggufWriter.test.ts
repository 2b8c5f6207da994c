import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeGguf, float32ToFloat16Bits, writeGguf } from '../../../src/engine/gguf/ggufWriter';
import { float16BitsToNumber } from '../../../src/engine/safetensors';

import { lookupMetadata as lookup } from '../../support/ggufMetadata';
import { useTempDir } from '../../support/tempDir';

describe('GGUF writer', function () {
  this.timeout(30000);
  const tempDir = useTempDir('janus-gguf-');

  it('writes a GGUF v3 header that node-llama-cpp reads back, with typed metadata and aligned tensors', async () => {
    const file = path.join(tempDir(), 'small.gguf');
    await writeGguf(file, {
      metadata: {
        'general.architecture': { type: 'string', value: 'llama' },
        'test.count': { type: 'uint32', value: 7 },
        'test.negative': { type: 'int32', value: -3 },
        'test.ratio': { type: 'float32', value: 0.5 },
        'test.flag': { type: 'bool', value: true },
        'test.big': { type: 'uint64', value: 2n ** 40n },
        'test.names': { type: 'array', itemType: 'string', value: ['a', 'b▁c', ''] },
        'test.floats': { type: 'array', itemType: 'float32', value: [1.5, -2] },
        'test.ints': { type: 'array', itemType: 'int32', value: [1, -2, 3] },
      },
      tensors: [
        { name: 'a', dims: [3], data: Float32Array.from([1, 2, 3]) },
        { name: 'b', dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]), type: 'F16' },
      ],
    });
    const bytes = await readFile(file);
    assert.equal(bytes.subarray(0, 4).toString('ascii'), 'GGUF');
    assert.equal(bytes.readUInt32LE(4), 3);

    const { readGgufFileInfo } = await import('node-llama-cpp');
    const info = await readGgufFileInfo(file, { logWarnings: false });
    assert.equal(info.version, 3);
    assert.equal(Number(info.tensorCount), 2);
    assert.equal(lookup(info.metadata, 'test.count'), 7);
    assert.equal(lookup(info.metadata, 'test.negative'), -3);
    assert.equal(lookup(info.metadata, 'test.ratio'), 0.5);
    assert.equal(lookup(info.metadata, 'test.flag'), true);
    assert.equal(BigInt(lookup(info.metadata, 'test.big') as bigint), 2n ** 40n);
    assert.deepEqual(lookup(info.metadata, 'test.names'), ['a', 'b▁c', '']);
    assert.deepEqual(lookup(info.metadata, 'test.floats'), [1.5, -2]);
    assert.deepEqual(lookup(info.metadata, 'test.ints'), [1, -2, 3]);
    const tensors = info.tensorInfo ?? [];
    assert.deepEqual(tensors.map((t) => [t.name, t.dimensions.map(Number), t.ggmlType]), [['a', [3], 0], ['b', [2, 2], 1]]);
    // Each tensor starts on a 32-byte boundary and holds the values we wrote.
    const [a, b] = tensors.map((t) => Number(t.fileOffset));
    assert.ok(a !== undefined && b !== undefined && a % 32 === 0 && b % 32 === 0);
    assert.deepEqual([0, 1, 2].map((i) => bytes.readFloatLE(a + i * 4)), [1, 2, 3]);
    assert.deepEqual([0, 1, 2, 3].map((i) => float16BitsToNumber(bytes.readUInt16LE(b + i * 2))), [1, 2, 3, 4]);
  });

  it('rejects a tensor whose data does not match its dims', () => {
    assert.throws(() => encodeGguf({ metadata: {}, tensors: [{ name: 'x', dims: [2, 2], data: new Float32Array(3) }] }), /dims \[2, 2\] hold 4 values, data has 3/);
  });

  it('converts float32 to float16 with rounding, subnormals and overflow', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8, 0.1, 3.14159]) {
      const back = float16BitsToNumber(float32ToFloat16Bits(v));
      assert.ok(Math.abs(back - v) <= Math.abs(v) * 2 ** -11, `${v} -> ${back}`);
    }
    assert.equal(float32ToFloat16Bits(1e6), 0x7c00);
    assert.equal(float32ToFloat16Bits(-Infinity), 0xfc00);
    assert.ok(Number.isNaN(float16BitsToNumber(float32ToFloat16Bits(NaN))));
  });
});
