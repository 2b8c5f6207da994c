// node-llama-cpp called directly in the benchmark's own process, configured as the engine
// configures its context (sequences = slots, same context and batch size, 1 thread) and sampling
// as the engine does for the same request, so a ratio against it isolates what the engine adds.
export interface DirectLlama {
  /** `n` sequences generate `tokens` tokens each (end of sequence banned) in the same batches; ms. */
  run(n: number, tokens: number): Promise<number>;
  dispose(): Promise<void>;
}

export async function directLlama(modelPath: string, prompt: string, options: { sequences: number; contextSize: number }): Promise<DirectLlama> {
  const { getLlama, TokenBias } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1 });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ sequences: options.sequences, contextSize: options.contextSize, threads: 1, batchSize: Math.min(512, options.contextSize) });
  const sequences = Array.from({ length: options.sequences }, () => context.getSequence());
  const bias = new TokenBias(model.tokenizer);
  for (const token of [model.tokens.eos, model.tokens.eot]) if (token !== null) bias.set(token, 'never');
  let seed = 1;
  return {
    async run(n, tokens) {
      const started = performance.now();
      const promptTokens = model.tokenize(prompt, true);
      if (model.tokens.bos !== null) promptTokens.unshift(model.tokens.bos);
      await Promise.all(
        sequences.slice(0, n).map(async (sequence) => {
          let count = 0;
          // The engine's sampling for temperature 1, top_p 0.9 and no top_k (OpenAI has none).
          for await (const token of sequence.evaluate([...promptTokens], { temperature: 1, topP: 0.9, topK: 0, seed: seed++, tokenBias: bias })) {
            void model.detokenize([token]);
            if (++count >= tokens) break;
          }
          await sequence.clearHistory();
        }),
      );
      return performance.now() - started;
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
