import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  SafetensorsError,
  findSafetensor,
  listSafetensors,
  readSafetensor,
  readSafetensorsHeader,
} from '../../../src/engine/safetensors';
import { encodeSafetensors, float32ToBfloat16Bits, writeSafetensors } from '../../support/safetensorsWriter';
import { useTempDir } from '../../support/tempDir';

const values = [0, 1, -1, 0.5, 3.140625, -1234.5, 1e-3, 65504];

describe('safetensors reader', () => {
  const tempDir = useTempDir('janus-st-');
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  it('decodes F32 exactly, F16 and BF16 within their rounding', async () => {
    const file = path.join(dir, 'mixed.safetensors');
    await writeSafetensors(file, [
      { name: 'f32', dtype: 'F32', shape: [2, 4], data: values },
      { name: 'f16', dtype: 'F16', shape: [8], data: values },
      { name: 'bf16', dtype: 'BF16', shape: [1, 8], data: values },
    ]);
    const infos = await readSafetensorsHeader(file);
    assert.deepEqual(infos.map((t) => [t.name, t.dtype, t.shape]), [['f32', 'F32', [2, 4]], ['f16', 'F16', [8]], ['bf16', 'BF16', [1, 8]]]);
    const read = async (name: string): Promise<number[]> => {
      const info = infos.find((t) => t.name === name);
      assert.ok(info);
      return [...(await readSafetensor(info)).data];
    };
    assert.deepEqual(await read('f32'), values.map(Math.fround));
    // Every test value except 1e-3 is exact in f16; 1e-3 rounds within f16's 2^-11 relative step.
    const f16 = await read('f16');
    values.forEach((v, i) => assert.ok(Math.abs((f16[i] ?? NaN) - v) <= Math.abs(v) * 2 ** -11, `f16 ${v} -> ${f16[i]}`));
    assert.equal(f16[4], 3.140625);
    const bf16 = await read('bf16');
    values.forEach((v, i) => assert.ok(Math.abs((bf16[i] ?? NaN) - v) <= Math.abs(v) * 2 ** -8, `bf16 ${v} -> ${bf16[i]}`));
    assert.equal(bf16[5], -1232, 'bf16 keeps 7 mantissa bits: between 1024 and 2048 its step is 8');
  });

  it('rounds to bfloat16 as PyTorch does (nearest, ties to even)', () => {
    assert.equal(float32ToBfloat16Bits(1), 0x3f80);
    assert.equal(float32ToBfloat16Bits(-2), 0xc000);
    assert.equal(float32ToBfloat16Bits(1 + 2 ** -8), 0x3f80, 'a tie rounds to the even mantissa');
    assert.equal(float32ToBfloat16Bits(1 + 3 * 2 ** -8), 0x3f82);
  });

  it('finds tensors in a sharded checkpoint through its index, and in a plain directory of shards', async () => {
    const sharded = path.join(dir, 'sharded');
    await mkdir(sharded);
    await writeSafetensors(path.join(sharded, 'model-00001-of-00002.safetensors'), [{ name: 'a', dtype: 'F32', shape: [2], data: [1, 2] }]);
    await writeSafetensors(path.join(sharded, 'model-00002-of-00002.safetensors'), [{ name: 'b', dtype: 'BF16', shape: [2], data: [3, 4] }]);
    await writeFile(
      path.join(sharded, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }),
    );
    const b = await findSafetensor(sharded, 'b');
    assert.equal(b?.file, path.join(sharded, 'model-00002-of-00002.safetensors'));
    assert.deepEqual([...(await readSafetensor(b)).data], [3, 4]);
    assert.equal(await findSafetensor(sharded, 'zzz'), undefined);
    assert.deepEqual((await listSafetensors(sharded)).map((t) => t.name).sort(), ['a', 'b']);

    const plain = path.join(dir, 'plain');
    await mkdir(plain);
    await writeSafetensors(path.join(plain, 'x.safetensors'), [{ name: 'x', dtype: 'F16', shape: [1], data: [0.25] }]);
    assert.deepEqual([...(await readSafetensor((await findSafetensor(plain, 'x'))!)).data], [0.25]);
  });

  it('reads only the bytes it needs: a tensor at a large offset in a sparse file', async () => {
    // A header pointing 1 GB into a sparse file: reading the tensor must not load the file.
    const file = path.join(dir, 'big.safetensors');
    const small = encodeSafetensors([{ name: 'head', dtype: 'F32', shape: [2], data: [7, 8] }]);
    const headerLength = Number(small.readBigUInt64LE(0));
    const header = JSON.stringify({ filler: { dtype: 'U8', shape: [2 ** 30], data_offsets: [0, 2 ** 30] }, head: { dtype: 'F32', shape: [2], data_offsets: [2 ** 30, 2 ** 30 + 8] } });
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    const { open } = await import('node:fs/promises');
    const handle = await open(file, 'w');
    await handle.write(Buffer.concat([prefix, Buffer.from(header)]), 0);
    await handle.write(small.subarray(8 + headerLength), 0, 8, 8 + header.length + 2 ** 30);
    await handle.close();
    const before = process.memoryUsage().rss;
    const info = await findSafetensor(file, 'head');
    assert.ok(info);
    assert.deepEqual([...(await readSafetensor(info)).data], [7, 8]);
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024);
  });

  it('gives clear errors for truncated, corrupt and unsupported inputs', async () => {
    const good = encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [4], data: [1, 2, 3, 4] }]);
    const write = async (name: string, bytes: Buffer): Promise<string> => {
      const file = path.join(dir, name);
      await writeFile(file, bytes);
      return file;
    };
    const expectError = async (file: string, pattern: RegExp): Promise<void> => {
      await assert.rejects(readSafetensorsHeader(file), (error: Error) => {
        assert.ok(error instanceof SafetensorsError, String(error));
        assert.match(error.message, pattern);
        assert.ok(error.message.startsWith(file), 'the message starts with the file');
        return true;
      });
    };
    await expectError(await write('tiny.safetensors', Buffer.from([1, 2, 3])), /only 3 bytes/);
    await expectError(await write('data-cut.safetensors', good.subarray(0, good.length - 4)), /tensor "w" lies outside the file.*truncated or corrupt/);
    await expectError(await write('header-cut.safetensors', good.subarray(0, 20)), /truncated \(header says/);
    const badJson = Buffer.from(good);
    badJson.write('#', 8);
    await expectError(await write('bad-json.safetensors', badJson), /corrupt header \(invalid JSON/);
    const huge = Buffer.from(good);
    huge.writeBigUInt64LE(2n ** 40n, 0);
    await expectError(await write('huge.safetensors', huge), /not a safetensors file \(header length \d+ is implausible/);
    const wrongSize = encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [4], data: [1, 2, 3, 4] }]);
    wrongSize.write('[3]', wrongSize.indexOf('[4]'));
    await expectError(await write('wrong-size.safetensors', wrongSize), /shape \[3\] F32 \(12 bytes\) but 16 bytes/);
    await expectError(path.join(dir, 'missing.safetensors'), /file not found/);

    const ints = Buffer.from(good);
    ints.write('I32', ints.indexOf('F32'));
    const [info] = await readSafetensorsHeader(await write('ints.safetensors', ints));
    assert.ok(info);
    await assert.rejects(readSafetensor(info), /is I32; only F32, F16, BF16 and F64 can be read/);
  });
});
