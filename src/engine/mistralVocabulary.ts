import * as z from 'zod';

/**
 * The real Mistral 32k vocabulary (the one Janus and Janus-RM use), read at run time from the npm
 * package `mistral-tokenizer-js`: its pieces in id order and its BPE merges in priority order. It
 * is a development dependency only, so tests and `make-tiny-model` can tokenize `[INST]`, BOS/EOS,
 * leading spaces and byte fallback exactly as Janus does without shipping 650 KB in the CLI.
 */

export interface MistralVocabulary {
  readonly tokens: readonly string[];
  /** Merges as (left, right) pieces, highest priority first. */
  readonly merges: readonly (readonly [string, string])[];
  /** The package's own encoder, `encode(text, addBos, addPrecedingSpace)`: tests compare against it. */
  readonly encode: (text: string, addBos: boolean, addPrecedingSpace: boolean) => number[];
}

const moduleSchema = z.object({
  vocabById: z.array(z.string()),
  merges: z.instanceof(Map),
  encode: z.custom<(text: string, addBos: boolean, addPrecedingSpace: boolean) => number[]>((v) => typeof v === 'function'),
});

export const mistralTokenizerPackage = 'mistral-tokenizer-js';

let cached: Promise<MistralVocabulary> | undefined;

export function loadMistralVocabulary(): Promise<MistralVocabulary> {
  cached ??= load();
  return cached;
}

async function load(): Promise<MistralVocabulary> {
  // A variable specifier keeps bundlers from inlining the package into the CLI.
  const specifier: string = mistralTokenizerPackage;
  let mod: unknown;
  try {
    mod = ((await import(specifier)) as { default?: unknown }).default;
  } catch (error) {
    throw new Error(
      `the real Mistral vocabulary comes from the npm package ${mistralTokenizerPackage}, which is not installed here ` +
        `(${error instanceof Error ? error.message.split('\n')[0] : String(error)}). Run \`npm install --no-save ${mistralTokenizerPackage}\` in the project folder.`,
    );
  }
  const parsed = moduleSchema.safeParse(mod);
  if (!parsed.success) throw new Error(`${mistralTokenizerPackage} does not export vocabById and merges as expected; use version 1.0.0`);
  const { vocabById, merges, encode } = parsed.data;
  // The package keys each merge "left right" with its priority (lower merges first).
  const ranked = [...(merges as Map<unknown, unknown>).entries()]
    .filter((e): e is [string, number] => typeof e[0] === 'string' && typeof e[1] === 'number')
    .sort((a, b) => a[1] - b[1]);
  const pairs = ranked.map(([key]): [string, string] => {
    const space = key.indexOf(' ');
    return [key.slice(0, space), key.slice(space + 1)];
  });
  return { tokens: vocabById, merges: pairs, encode: (text, addBos, addPrecedingSpace) => encode(text, addBos, addPrecedingSpace) };
}
