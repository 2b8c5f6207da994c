// node-llama-cpp carries llama.cpp's native binaries (tens of MB per platform), so the universal
// extension package does not include it. It is loaded at run time from, in order: the engine's own
// node_modules (development, the CLI installed with npm), or a runtime folder named by
// JANUS_ENGINE_RUNTIME where `npm install node-llama-cpp` was run (the extension's
// "Install Local Engine Runtime" command puts one in its global storage).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

/** The node-llama-cpp version this engine is built and tested against. */
export const nodeLlamaCppVersion = '3.22.1';

let loaded: Promise<NodeLlamaCpp> | undefined;

export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<NodeLlamaCpp> {
  const runtime = process.env['JANUS_ENGINE_RUNTIME'];
  if (runtime) {
    const entry = path.join(runtime, 'node_modules', 'node-llama-cpp', 'dist', 'index.js');
    if (existsSync(entry)) return (await import(pathToFileURL(entry).href)) as NodeLlamaCpp;
  }
  try {
    return await import('node-llama-cpp');
  } catch (error) {
    const where = runtime ? ` (JANUS_ENGINE_RUNTIME=${runtime} has no node_modules/node-llama-cpp either)` : '';
    throw new Error(
      `the local engine needs the node-llama-cpp runtime, which is not installed${where}. ` +
        `Run "Janus: Install Local Engine Runtime" in VS Code, or run \`npm install node-llama-cpp@${nodeLlamaCppVersion}\` in a folder and set JANUS_ENGINE_RUNTIME to that folder. ` +
        `(${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    );
  }
}
