/** One subcommand of the `janus` CLI. `run` returns the process exit code. */
export interface CliCommand {
  readonly name: string;
  /** One line shown by `janus --help`. */
  readonly summary: string;
  /** Full usage text shown by `janus <name> --help` and after a usage error. */
  readonly usage: string;
  run(args: readonly string[]): Promise<number>;
}

/** An error whose message is meant for the user as is: printed as one line, no stack. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}
