import assert from 'node:assert/strict';
import path from 'node:path';
import { makeTinyModelCommand } from '../../../src/cli/commands/makeTinyModel';
import { writeGguf } from '../../../src/engine/gguf/ggufWriter';
import type { GgufValue } from '../../../src/engine/gguf/ggufWriter';
import type { RewardHead } from '../../../src/engine/rewardHead';
import { RewardModelError, readRewardModelInfo, rewardGgufKeys, rewardHeadMetadata } from '../../../src/engine/rewardGguf';
import { createTinyLlamaWeights, createTinyRewardModel, loadTinyVocabulary, tinyRewardSeed } from '../../../src/engine/tinyModel';
import { useTempDir } from '../../support/tempDir';

const head: RewardHead = {
  hiddenSize: 4,
  // 0.1 and 1e-7 are not exact in float32: they must still come back bit for bit.
  weight: Float32Array.from([0.1, -2, 3.5, 1e-7]),
  mean: 0.5,
  std: 2,
  source: 'ckpt: value_head.weight (BF16 [1, 4])',
};

function backbone(embeddingLength: number): Record<string, GgufValue> {
  return {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: 'test-rm' },
    'llama.embedding_length': { type: 'uint32', value: embeddingLength },
  };
}

describe('reward model GGUF metadata', () => {
  const tempDir = useTempDir('janus-rmgguf-');

  it('writes the contract keys with their GGUF types and reads them back exactly', async () => {
    const metadata = rewardHeadMetadata(head, 2048);
    assert.deepEqual(Object.keys(metadata).sort(), [rewardGgufKeys.maxLength, rewardGgufKeys.mean, rewardGgufKeys.source, rewardGgufKeys.std, rewardGgufKeys.valueHead].sort());
    assert.deepEqual(
      Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, v.type === 'array' ? `array<${v.itemType}>` : v.type])),
      { 'janus.reward.value_head': 'array<float32>', 'janus.reward.mean': 'float32', 'janus.reward.std': 'float32', 'janus.reward.max_length': 'uint32', 'janus.reward.source': 'string' },
    );
    const file = path.join(tempDir(), 'rm.gguf');
    await writeGguf(file, { metadata: { ...backbone(4), ...metadata }, tensors: [] });
    const info = await readRewardModelInfo(file);
    assert.deepEqual([...info.head.weight], [...head.weight]);
    assert.equal(info.head.mean, 0.5);
    assert.equal(info.head.std, 2);
    assert.equal(info.head.source, head.source);
    assert.equal(info.maxLength, 2048);
    assert.equal(info.name, 'test-rm');
    assert.equal(info.embeddingLength, 4);
  });

  it('leaves mean and std out for a head without normalisation', async () => {
    const metadata = rewardHeadMetadata({ hiddenSize: 4, weight: head.weight }, 512);
    assert.equal(metadata[rewardGgufKeys.mean], undefined);
    assert.equal(metadata[rewardGgufKeys.std], undefined);
    const file = path.join(tempDir(), 'plain.gguf');
    await writeGguf(file, { metadata: { ...backbone(4), ...metadata }, tensors: [] });
    const info = await readRewardModelInfo(file);
    assert.equal(info.head.mean, undefined);
    assert.equal(info.maxLength, 512);
  });

  it('refuses a GGUF without a head, a head/backbone mismatch, half a normalisation and a non-GGUF', async () => {
    const cases: [string, Record<string, GgufValue>, RegExp][] = [
      ['generator.gguf', backbone(4), /has no reward head \(no janus\.reward\.value_head in its metadata\).*janus convert-rm --checkpoint <dir> --out rm\.gguf.*--reward-model/],
      ['mismatch.gguf', { ...backbone(8), ...rewardHeadMetadata(head, 2048) }, /head\/backbone mismatch: the value head has 4 weights but the backbone's hidden size \(llama\.embedding_length\) is 8.*janus convert-rm/],
      ['half.gguf', { ...backbone(4), ...rewardHeadMetadata({ hiddenSize: 4, weight: head.weight }, 2048), [rewardGgufKeys.mean]: { type: 'float32', value: 1 } }, /janus\.reward\.mean without janus\.reward\.std/],
      ['zero-std.gguf', { ...backbone(4), ...rewardHeadMetadata({ ...head, std: 0 }, 2048) }, /janus\.reward\.std must be greater than 0/],
    ];
    for (const [name, metadata, expected] of cases) {
      const file = path.join(tempDir(), name);
      await writeGguf(file, { metadata, tensors: [] });
      await assert.rejects(readRewardModelInfo(file), (error: Error) => {
        assert.ok(error instanceof RewardModelError, name);
        assert.ok(error.message.startsWith(file), `${name}: names the file`);
        assert.match(error.message, expected, name);
        return true;
      });
    }
    const notGguf = path.join(tempDir(), 'head.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(notGguf, '{"format": "janus-reward-head"}');
    await assert.rejects(readRewardModelInfo(notGguf), /head\.json: cannot read it as a GGUF file.*janus convert-rm/);
  });

  it('make-tiny-model --reward-model writes a separate RM: own seed, no output.weight, head in metadata', async () => {
    const model = path.join(tempDir(), 'gen.gguf');
    const rm = path.join(tempDir(), 'rm.gguf');
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      assert.equal(await makeTinyModelCommand.run(['--out', model, '--reward-model', rm, '--seed', '5']), 0);
    } finally {
      process.stdout.write = original;
    }
    const vocab = await loadTinyVocabulary();
    const expected = createTinyRewardModel(tinyRewardSeed(5), vocab);
    assert.notEqual(expected.weights.seed, 5);
    const info = await readRewardModelInfo(rm);
    assert.deepEqual([...info.head.weight], [...expected.head.weight]);
    assert.equal(info.maxLength, 2048);
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const tensors = (await readGgufFileInfo(rm, { logWarnings: false })).fullTensorInfo ?? [];
    const names = tensors.map((t) => t.name);
    assert.ok(names.includes('token_embd.weight') && !names.includes('output.weight'), names.join(', '));
    // Its backbone is not the generator's: the token embeddings differ.
    assert.notDeepEqual(expected.weights.tokenEmbd.slice(0, 8), createTinyLlamaWeights(5, vocab).tokenEmbd.slice(0, 8));
    await assert.rejects(makeTinyModelCommand.run(['--out', model, '--reward-head', 'x.json']), /--reward-head is gone.*--reward-model/);
  });
});
