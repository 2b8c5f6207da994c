import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HfClassifierError, scoreShardName, writeHfClassifier } from '../../../src/engine/hfClassifier';
import { readSafetensorsHeader } from '../../../src/engine/safetensors';
import type { SafetensorsInput } from '../../support/safetensorsWriter';
import { writeSafetensors } from '../../support/safetensorsWriter';
import { useTempDir } from '../../support/tempDir';

const hidden = 8;
const ramp = (n: number, scale: number): number[] => Array.from({ length: n }, (_, i) => (i - n / 2) * scale);
const shard1: SafetensorsInput[] = [
  { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [4, hidden], data: ramp(4 * hidden, 0.125) },
  { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'BF16', shape: [hidden, hidden], data: ramp(hidden * hidden, 0.0625) },
];
const shard2: SafetensorsInput[] = [
  { name: 'model.norm.weight', dtype: 'BF16', shape: [hidden], data: ramp(hidden, 0.5) },
  { name: 'value_head.weight', dtype: 'BF16', shape: [1, hidden], data: ramp(hidden, 0.25) },
];

async function bytesOf(file: string, name: string): Promise<Buffer> {
  const info = (await readSafetensorsHeader(file)).find((t) => t.name === name);
  assert.ok(info, `${name} in ${file}`);
  return (await readFile(file)).subarray(info.begin, info.end);
}

describe('convert-rm --to hf-classifier', () => {
  const tempDir = useTempDir('janus-hfcls-');

  async function checkpoint(name: string, config: Record<string, unknown>): Promise<string> {
    const dir = path.join(tempDir(), name);
    await mkdir(dir, { recursive: true });
    await writeSafetensors(path.join(dir, 'model-00001-of-00002.safetensors'), shard1);
    await writeSafetensors(path.join(dir, 'model-00002-of-00002.safetensors'), shard2);
    const weightMap = Object.fromEntries([...shard1.map((t) => [t.name, 'model-00001-of-00002.safetensors']), ...shard2.map((t) => [t.name, 'model-00002-of-00002.safetensors'])]);
    await writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
    await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
    await writeFile(path.join(dir, 'tokenizer.json'), '{"model": {"type": "BPE"}}');
    return dir;
  }

  it('writes a one-label MistralForSequenceClassification: score.weight = the head, no value_head left, untouched shards linked', async () => {
    const ckpt = await checkpoint('rm', { model_type: 'mistral', architectures: ['MistralForCausalLM'], hidden_size: hidden, mean: 0.5, std: 2, normalize_reward: true });
    const out = path.join(tempDir(), 'rm-cls');
    const result = await writeHfClassifier({ checkpoint: ckpt, out });
    assert.deepEqual(result.reused, ['model-00001-of-00002.safetensors']);
    assert.deepEqual(result.rewritten, ['model-00002-of-00002.safetensors']);
    // The untouched shard is the same file (a hard link), not a 5 GB copy.
    const [a, b] = await Promise.all([stat(path.join(ckpt, 'model-00001-of-00002.safetensors')), stat(path.join(out, 'model-00001-of-00002.safetensors'))]);
    assert.equal(a.ino, b.ino);

    const index = JSON.parse(await readFile(path.join(out, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string>; metadata: { total_size: number } };
    const listed = new Map<string, string>();
    let total = 0;
    for (const file of new Set(Object.values(index.weight_map))) {
      for (const t of await readSafetensorsHeader(path.join(out, file))) {
        listed.set(t.name, file);
        total += t.end - t.begin;
      }
    }
    assert.deepEqual(new Map(Object.entries(index.weight_map)), listed, 'the index lists exactly the tensors the shards hold');
    assert.equal(index.metadata.total_size, total);
    assert.ok(!listed.has('value_head.weight') && !listed.has('lm_head.weight'), 'no tensor vLLM would refuse');
    assert.equal(listed.get('score.weight'), scoreShardName);
    const score = (await readSafetensorsHeader(path.join(out, scoreShardName)))[0];
    assert.deepEqual([score?.name, score?.dtype, score?.shape], ['score.weight', 'BF16', [1, hidden]]);
    assert.deepEqual(await bytesOf(path.join(out, scoreShardName), 'score.weight'), await bytesOf(path.join(ckpt, 'model-00002-of-00002.safetensors'), 'value_head.weight'));
    assert.deepEqual(await bytesOf(path.join(out, 'model-00002-of-00002.safetensors'), 'model.norm.weight'), await bytesOf(path.join(ckpt, 'model-00002-of-00002.safetensors'), 'model.norm.weight'));

    const config = JSON.parse(await readFile(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(config['architectures'], ['MistralForSequenceClassification']);
    assert.equal(config['num_labels'], 1);
    assert.equal(config['hidden_size'], hidden);
    assert.equal(await readFile(path.join(out, 'tokenizer.json'), 'utf8'), '{"model": {"type": "BPE"}}');
    assert.equal(result.serveCommand, `vllm serve ${out} --runner pooling --convert classify --max-model-len 2048 --pooler-config '{"use_activation": false, "logit_mean": 0.5, "logit_sigma": 2}'`);
  });

  it('refuses an unknown architecture, a missing head, a head of the wrong width and a used output folder', async () => {
    const cases: [Record<string, unknown>, string | undefined, RegExp][] = [
      [{ model_type: 'gpt2', hidden_size: hidden }, undefined, /model_type "gpt2" is not one this converter knows/],
      [{ model_type: 'mistral', hidden_size: hidden }, 'score_head.weight', /no tensor "score_head\.weight" \(the value head\); pass it with --tensor/],
      [{ model_type: 'mistral', hidden_size: 16 }, undefined, /"value_head\.weight" has shape \[1, 8\] but config\.json says hidden_size 16/],
    ];
    for (const [i, [config, tensor, expected]] of cases.entries()) {
      const ckpt = await checkpoint(`bad${i}`, config);
      await assert.rejects(writeHfClassifier({ checkpoint: ckpt, out: path.join(tempDir(), `bad${i}-out`), tensor }), (e: Error) => e instanceof HfClassifierError && expected.test(e.message));
    }
    const ckpt = await checkpoint('twice', { model_type: 'mistral', hidden_size: hidden });
    await writeHfClassifier({ checkpoint: ckpt, out: path.join(tempDir(), 'twice-out') });
    await assert.rejects(writeHfClassifier({ checkpoint: ckpt, out: path.join(tempDir(), 'twice-out') }), /already holds a config\.json/);
  });
});
