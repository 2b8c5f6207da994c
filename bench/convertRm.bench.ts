// `convert-rm` throughput and memory on a generated ~1.1 GB Mistral-shaped reward model (hidden
// 4096, 32 heads / 8 KV heads, FFN 14336, 32k vocabulary, 2 layers instead of 32, random bf16
// weights in two shards with an index), converted by the built CLI to f16 and to q8_0. MB/s is
// checkpoint bytes per wall second; peak RSS is the CLI process's (GNU time). The target:
// under 1 GB for a 14 GB checkpoint; streaming keeps memory independent of the checkpoint size.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cliPath } from '../test/support/engineProcess';
import { writeMistralTokenizerFiles } from '../test/support/rmCheckpoint';
import { report } from './report';

const shape = { hidden: 4096, ff: 14336, heads: 32, kvHeads: 8, layers: 2, vocab: 32000 };

function tensorsOf(): { name: string; shape: number[] }[] {
  const { hidden, ff, heads, kvHeads, layers, vocab } = shape;
  const hd = hidden / heads;
  const out = [{ name: 'model.embed_tokens.weight', shape: [vocab, hidden] }];
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}.`;
    out.push(
      { name: `${p}input_layernorm.weight`, shape: [hidden] },
      { name: `${p}self_attn.q_proj.weight`, shape: [heads * hd, hidden] },
      { name: `${p}self_attn.k_proj.weight`, shape: [kvHeads * hd, hidden] },
      { name: `${p}self_attn.v_proj.weight`, shape: [kvHeads * hd, hidden] },
      { name: `${p}self_attn.o_proj.weight`, shape: [hidden, heads * hd] },
      { name: `${p}post_attention_layernorm.weight`, shape: [hidden] },
      { name: `${p}mlp.gate_proj.weight`, shape: [ff, hidden] },
      { name: `${p}mlp.up_proj.weight`, shape: [ff, hidden] },
      { name: `${p}mlp.down_proj.weight`, shape: [hidden, ff] },
    );
  }
  out.push({ name: 'model.norm.weight', shape: [hidden] }, { name: 'value_head.weight', shape: [1, hidden] });
  return out;
}

/** Random bf16 values of magnitude ~1e-3..1e-1 (exponents 117..123), written in 8 MB chunks. */
async function writeRandomBf16(handle: FileHandle, count: number, seed: number): Promise<void> {
  let x = seed >>> 0 || 1;
  const chunk = new Uint16Array(4 << 20);
  for (let done = 0; done < count; done += chunk.length) {
    const n = Math.min(chunk.length, count - done);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      chunk[i] = ((x & 0x8000) | ((117 + ((x >>> 8) % 7)) << 7) | (x & 0x7f)) & 0xffff;
    }
    await handle.write(new Uint8Array(chunk.buffer, 0, n * 2));
  }
}

async function writeShard(file: string, tensors: { name: string; shape: number[] }[]): Promise<number> {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * 2;
    header[t.name] = { dtype: 'BF16', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const handle = await open(file, 'w');
  try {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
    await handle.write(length);
    await handle.write(Buffer.from(json));
    for (const [i, t] of tensors.entries()) await writeRandomBf16(handle, t.shape.reduce((a, b) => a * b, 1), 1234 + i);
  } finally {
    await handle.close();
  }
  return statSync(file).size;
}

async function writeCheckpoint(dir: string): Promise<number> {
  const config = {
    architectures: ['MistralForCausalLM'], model_type: 'mistral', hidden_size: shape.hidden, intermediate_size: shape.ff,
    num_hidden_layers: shape.layers, num_attention_heads: shape.heads, num_key_value_heads: shape.kvHeads, vocab_size: shape.vocab,
    rms_norm_eps: 1e-5, rope_theta: 1e6, max_position_embeddings: 32768, bos_token_id: 1, eos_token_id: 2, mean: 0.1, std: 1.1, normalize_reward: true,
  };
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  const all = tensorsOf();
  const shards = [all.slice(0, 1 + 9), all.slice(1 + 9)];
  const weightMap: Record<string, string> = {};
  let bytes = 0;
  for (const [i, shard] of shards.entries()) {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    bytes += await writeShard(path.join(dir, file), shard);
    for (const t of shard) weightMap[t.name] = file;
  }
  writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
  await writeMistralTokenizerFiles(dir, ['tokenizer.model']);
  return bytes;
}

function timedCli(args: readonly string[]): Promise<{ code: number | null; wallS: number; maxRssMb: number; stderr: string }> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %M', process.execPath, cliPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => {
      const match = /TIME (\d+)/.exec(stderr);
      resolve({ code, wallS: (performance.now() - start) / 1000, maxRssMb: Number(match?.[1] ?? NaN) / 1024, stderr });
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-bench-rm-'));
  try {
    const ckpt = path.join(dir, 'ckpt');
    await import('node:fs/promises').then((fs) => fs.mkdir(ckpt));
    const bytes = await writeCheckpoint(ckpt);
    const rows = [];
    const extra: Record<string, unknown> = { checkpointBytes: bytes, shape };
    for (const type of ['f16', 'q8_0'] as const) {
      const out = path.join(dir, `rm-${type}.gguf`);
      const run = await timedCli(['convert-rm', '--checkpoint', ckpt, '--out', out, '--type', type]);
      if (run.code !== 0) throw new Error(`convert-rm --type ${type} failed:\n${run.stderr}`);
      extra[`${type}OutputBytes`] = statSync(out).size;
      rows.push(
        { metric: `${type}: conversion speed`, value: bytes / 1e6 / run.wallS, unit: 'MB/s of checkpoint' },
        { metric: `${type}: peak RSS`, value: run.maxRssMb, unit: 'MB', target: '< 1024 MB', ok: run.maxRssMb < 1024 },
        { metric: `${type}: output size`, value: statSync(out).size / 1e6, unit: 'MB' },
      );
      rmSync(out);
    }
    rows.unshift({ metric: 'checkpoint size', value: bytes / 1e6, unit: 'MB (bf16, 2 shards)' });
    report('convertRm', rows, extra);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
