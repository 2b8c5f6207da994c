import type { CliCommand } from '../../../src/cli/command';

/** Runs a CLI command in this process; returns its exit code and everything it printed. */
export async function runCommand(command: CliCommand, args: readonly string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const stderr = process.stderr.write.bind(process.stderr);
  const stdout = process.stdout.write.bind(process.stdout);
  const capture = (chunk: string | Uint8Array): boolean => {
    output += String(chunk);
    return true;
  };
  process.stderr.write = capture as typeof process.stderr.write;
  process.stdout.write = capture as typeof process.stdout.write;
  try {
    return { code: await command.run(args), output };
  } finally {
    process.stderr.write = stderr;
    process.stdout.write = stdout;
  }
}
