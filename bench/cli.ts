/** How the benchmark's commands start and end: flags, `--help`, exit codes, Ctrl+C. */
export function runCommand<O>(parse: (argv: readonly string[]) => O | 'help', usage: string, run: (options: O) => Promise<number>): void {
  const start = async (): Promise<number> => {
    let options: O | 'help';
    try {
      options = parse(process.argv.slice(2));
    } catch (error) {
      console.error((error as Error).message);
      return 2;
    }
    if (options === 'help') {
      console.log(usage);
      return 0;
    }
    return run(options);
  };
  process.once('SIGINT', () => process.exit(130));
  start().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack ?? error.message : error);
      process.exit(1);
    },
  );
}
