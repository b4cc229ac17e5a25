import { CliIo, ExitCode, packageVersion, runCheckCommand } from './check';

export const MAIN_USAGE = `Usage: stability-blueprints <command> [options]

Commands:
  check <file|dir|->...  check Kubernetes manifests against the stability-blueprints rules

Options:
  -h, --help             show this help
  --version              print the version

Run 'stability-blueprints check --help' for the options of a command.
`;

/** Dispatches `stability-blueprints <command>`; returns the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return runCheckCommand(rest, io);
    case '-h':
    case '--help':
    case 'help':
      io.stdout.write(MAIN_USAGE);
      return ExitCode.OK;
    case '--version':
      io.stdout.write(`${packageVersion()}\n`);
      return ExitCode.OK;
    case undefined:
      io.stderr.write(`error: no command\n\n${MAIN_USAGE}`);
      return ExitCode.USAGE;
    default:
      io.stderr.write(`error: unknown command ${JSON.stringify(command)}\n\n${MAIN_USAGE}`);
      return ExitCode.USAGE;
  }
}
