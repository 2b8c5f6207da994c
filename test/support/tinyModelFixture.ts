import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RewardHead } from '../../src/engine/rewardHead';
import { writeRewardHead } from '../../src/engine/rewardHead';
import type { TinyLlamaWeights } from '../../src/engine/tinyModel';
import { createTinyLlamaWeights, createTinyRewardHead, loadTinyVocabulary, writeTinyLlamaGguf } from '../../src/engine/tinyModel';

export interface TinyModelFixture {
  readonly modelPath: string;
  readonly rewardHeadPath: string;
  readonly weights: TinyLlamaWeights;
  readonly rewardHead: RewardHead;
}

let cached: Promise<TinyModelFixture> | undefined;

/**
 * The tiny model (seed 1) and its reward head, written once per process into a fresh temp
 * directory; every suite shares the same files. The directory is removed when the process exits
 * (on Windows a file still mapped by llama.cpp cannot be deleted: then it stays for the OS to clean).
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
    const weights = createTinyLlamaWeights(1, await loadTinyVocabulary());
    const rewardHead = createTinyRewardHead(weights);
    const modelPath = path.join(dir, 'janus-tiny-test.gguf');
    const rewardHeadPath = path.join(dir, 'janus-tiny-test.reward-head.json');
    await writeTinyLlamaGguf(modelPath, weights);
    await writeRewardHead(rewardHeadPath, rewardHead);
    return { modelPath, rewardHeadPath, weights, rewardHead };
  })();
  return cached;
}
