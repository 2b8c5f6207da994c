import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RewardHead } from '../../src/engine/rewardHead';
import type { TinyLlamaWeights, TinyRewardModel } from '../../src/engine/tinyModel';
import { createTinyLlamaWeights, createTinyRewardModel, loadTinyVocabulary, tinyRewardSeed, writeTinyLlamaGguf, writeTinyRewardGguf } from '../../src/engine/tinyModel';

export interface TinyModelFixture {
  /** The tiny generator (seed 1). */
  readonly modelPath: string;
  readonly weights: TinyLlamaWeights;
  /** The separate tiny reward model (its own seed and backbone; head in its GGUF metadata). */
  readonly rewardModelPath: string;
  readonly rewardModel: TinyRewardModel;
  /** `rewardModel.head`, for tests that only need a head of the right width. */
  readonly rewardHead: RewardHead;
}

let cached: Promise<TinyModelFixture> | undefined;

/**
 * The tiny generator (seed 1) and the tiny reward model that goes with it, written once per process
 * into a fresh temp directory; every suite shares the same files. The directory is removed when the
 * process exits (on Windows a file still mapped by llama.cpp cannot be deleted: then it stays for
 * the OS to clean).
 */
export function getTinyModel(): Promise<TinyModelFixture> {
  cached ??= (async (): Promise<TinyModelFixture> => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'janus-tiny-'));
    process.once('exit', () => {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Best effort only: see above.
      }
    });
    const vocab = await loadTinyVocabulary();
    const weights = createTinyLlamaWeights(1, vocab);
    const rewardModel = createTinyRewardModel(tinyRewardSeed(1), vocab);
    const modelPath = path.join(dir, 'janus-tiny-test.gguf');
    const rewardModelPath = path.join(dir, 'janus-tiny-rm.gguf');
    await writeTinyLlamaGguf(modelPath, weights);
    await writeTinyRewardGguf(rewardModelPath, rewardModel);
    return { modelPath, weights, rewardModelPath, rewardModel, rewardHead: rewardModel.head };
  })();
  return cached;
}
