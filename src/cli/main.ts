import type { CliCommand } from './command';
import { CliUsageError } from './command';
import { commands } from './commands/index';

function printHelp(): void {
  const width = Math.max(...commands.map((c) => c.name.length));
  process.stdout.write(
    'Usage: janus <command> [options]\n\nCommands:\n' +
      commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n') +
      '\n\nRun `janus <command> --help` for the options of one command.\n',
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name === undefined ? 2 : 0;
  }
  const command: CliCommand | undefined = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`janus: unknown command "${name}". Run \`janus --help\` to list the commands.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`janus ${command.name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`janus ${command.name}: ${message}\n`);
    if (process.env['JANUS_DEBUG']) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`janus: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
