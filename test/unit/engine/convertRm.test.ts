import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { CliUsageError } from '../../../src/cli/command';
import { convertRmCommand } from '../../../src/cli/commands/convertRm';
import { makeTinyModelCommand } from '../../../src/cli/commands/makeTinyModel';
import { ConvertRmError, convertRewardModel } from '../../../src/engine/convertRm';
import { readRewardHead } from '../../../src/engine/rewardHead';
import { writeSafetensors } from '../../support/safetensorsWriter';
import { useTempDir } from '../../support/tempDir';

const hidden = 8;
const head = Array.from({ length: hidden }, (_, i) => (i - 3.5) / 4);
const backbone = { name: 'model.norm.weight', dtype: 'F32', shape: [hidden], data: new Array<number>(hidden).fill(1) } as const;

async function captureStdout(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const original = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await run(), out };
  } finally {
    process.stdout.write = original;
  }
}

describe('convert-rm', function () {
  this.timeout(60000);
  const tempDir = useTempDir('janus-convert-');
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  it('converts a single-file checkpoint with mean/std from config.json beside it', async () => {
    const ckpt = path.join(dir, 'single');
    await mkdir(ckpt);
    const file = path.join(ckpt, 'model.safetensors');
    await writeSafetensors(file, [backbone, { name: 'value_head.weight', dtype: 'F32', shape: [1, hidden], data: head }]);
    await writeFile(path.join(ckpt, 'config.json'), JSON.stringify({ hidden_size: hidden, mean: 0.75, std: 1.25, normalize_reward: true }));
    const out = path.join(dir, 'single.json');
    const { code, out: stdout } = await captureStdout(() => convertRmCommand.run(['--checkpoint', file, '--out', out]));
    assert.equal(code, 0);
    assert.equal(stdout, `wrote ${out}: value_head.weight (F32, hidden ${hidden}), normalised with mean 0.75, std 1.25\n`);
    const back = await readRewardHead(out);
    assert.deepEqual([...back.weight], head);
    assert.equal(back.mean, 0.75);
    assert.equal(back.std, 1.25);
    assert.match(back.source ?? '', /value_head\.weight \(F32 \[1, 8\]\)/);
  });

  it('converts a sharded BF16 checkpoint through its index, honouring normalize_reward: false', async () => {
    const ckpt = path.join(dir, 'sharded');
    await mkdir(ckpt);
    await writeSafetensors(path.join(ckpt, 'model-00001-of-00002.safetensors'), [backbone]);
    await writeSafetensors(path.join(ckpt, 'model-00002-of-00002.safetensors'), [{ name: 'value_head.weight', dtype: 'BF16', shape: [1, hidden], data: head }]);
    await writeFile(
      path.join(ckpt, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { 'model.norm.weight': 'model-00001-of-00002.safetensors', 'value_head.weight': 'model-00002-of-00002.safetensors' } }),
    );
    await writeFile(path.join(ckpt, 'config.json'), JSON.stringify({ mean: 3, std: 2, normalize_reward: false }));
    const out = path.join(dir, 'sharded.json');
    const result = await convertRewardModel({ checkpoint: ckpt, out });
    assert.equal(result.tensor.dtype, 'BF16');
    assert.equal(result.normalization, 'not normalised (config.json has normalize_reward: false)');
    const back = await readRewardHead(out);
    // These values are exact in bf16 (multiples of 1/8 below 1).
    assert.deepEqual([...back.weight], head);
    assert.equal(back.mean, undefined);
  });

  it('uses value_head_prefix from config.json and accepts a [hidden] F16 head without config', async () => {
    const ckpt = path.join(dir, 'prefix');
    await mkdir(ckpt);
    await writeSafetensors(path.join(ckpt, 'model.safetensors'), [backbone, { name: 'score.weight', dtype: 'F16', shape: [hidden], data: head }]);
    await writeFile(path.join(ckpt, 'config.json'), JSON.stringify({ value_head_prefix: 'score' }));
    const result = await convertRewardModel({ checkpoint: ckpt, out: path.join(dir, 'prefix.json') });
    assert.equal(result.tensor.name, 'score.weight');
    assert.equal(result.normalization, 'not normalised (no mean/std in config.json)');
    assert.deepEqual([...result.head.weight], head);
  });

  it('fails clearly on a missing tensor, a wrong shape, a size mismatch and a missing checkpoint', async () => {
    const ckpt = path.join(dir, 'broken');
    await mkdir(ckpt);
    await writeSafetensors(path.join(ckpt, 'model.safetensors'), [
      backbone,
      { name: 'score.weight', dtype: 'F32', shape: [1, hidden], data: head },
      { name: 'value_head.weight', dtype: 'F32', shape: [2, 4], data: head },
    ]);
    const out = path.join(dir, 'never.json');
    await assert.rejects(convertRewardModel({ checkpoint: ckpt, out, tensor: 'nope.weight' }), (e: Error) => {
      assert.ok(e instanceof ConvertRmError);
      assert.match(e.message, /no tensor "nope\.weight" \(candidates: score\.weight \[1, 8\]; pass one with --tensor\)/);
      return true;
    });
    await assert.rejects(convertRewardModel({ checkpoint: ckpt, out }), /"value_head\.weight" has shape \[2, 4\]; a value head is \[1, hidden\] or \[hidden\]/);
    await writeFile(path.join(ckpt, 'config.json'), JSON.stringify({ hidden_size: 4096 }));
    await assert.rejects(convertRewardModel({ checkpoint: ckpt, out, tensor: 'score.weight' }), /has 8 values but .*config\.json says hidden_size 4096/);
    await writeFile(path.join(ckpt, 'config.json'), '{not json');
    await assert.rejects(convertRewardModel({ checkpoint: ckpt, out, tensor: 'score.weight' }), /config\.json: invalid JSON/);
    await assert.rejects(convertRewardModel({ checkpoint: path.join(dir, 'nowhere'), out }), /nowhere: not found; pass a \.safetensors file or a checkpoint directory/);
  });

  it('rejects bad arguments as usage errors', async () => {
    await assert.rejects(convertRmCommand.run(['--out', 'x.json']), (e: Error) => e instanceof CliUsageError && /--checkpoint is required/.test(e.message));
    await assert.rejects(convertRmCommand.run(['--checkpoint', 'x', '--out', 'y', '--bogus']), CliUsageError);
    await assert.rejects(makeTinyModelCommand.run(['--out', 'x.gguf', '--seed', 'abc']), /--seed must be an integer/);
    await assert.rejects(makeTinyModelCommand.run([]), /--out is required/);
  });

  it('through the real CLI: a bad checkpoint is one error line and a non-zero exit', async () => {
    const main = path.join(__dirname, '../../../src/cli/main.ts');
    const run = promisify(execFile);
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', main, 'convert-rm', '--checkpoint', path.join(dir, 'absent'), '--out', path.join(dir, 'o.json')]),
      (e: { code?: number; stderr?: string }) => {
        assert.equal(e.code, 1);
        assert.equal(e.stderr?.trim().split('\n').length, 1, `stderr: ${e.stderr}`);
        assert.match(e.stderr ?? '', /^janus convert-rm: .*absent: not found/);
        return true;
      },
    );
  });
});
