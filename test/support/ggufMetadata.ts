/** node-llama-cpp types only well-known GGUF keys; tests look any key up by its dotted name. */
export function lookupMetadata(metadata: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], metadata);
}
