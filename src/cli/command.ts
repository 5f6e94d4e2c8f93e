import { parseArgs } from 'node:util';

import { openDatabase } from '../bootstrap';
import { ConfigError, loadConfig, type Config } from '../config';
import type { DatabaseHandle } from '../db/create-database';
import { EncryptionKeyConfigError } from '../lib/crypto';
import { createLogger, errorMessage, type Logger } from '../lib/logger';
import { formatLogLineForTerminal } from './terminal';

/**
 * The shell shared by the admin commands (`npm run <name> -- …`):
 * - arguments are parsed strictly with `util.parseArgs`; `-h`/`--help` prints the usage and exits 0,
 *   before any setting is read or any database opened;
 * - exit status 0 done, 1 failed, 2 bad arguments (with the usage on stderr);
 * - stdout carries only the command's result (a key, an id, JSON), so it can be piped; everything else
 *   (progress, log lines, errors) goes to stderr: readable lines when stderr is a terminal, one JSON
 *   object per line (the server's log format) otherwise.
 */

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A bad argument: exit 2, with the usage. */
export class UsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in the usage: `--account <id>`. */
  valueName?: string;
  description: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** The npm script's name. */
  name: string;
  /** What follows the name in the synopsis, e.g. `--account <id> --name <name> [--json]`. */
  synopsis: string;
  /** One paragraph: what the command does and what it prints. */
  description: string;
  options: O;
  /** Positional arguments (described in the synopsis and description); none unless given. */
  maxPositionals?: number;
}

export interface CommandIo {
  config: Config;
  /** Writes to stderr: progress and log lines. */
  logger: Logger;
  /** Whether stderr is a terminal (a person is watching). */
  interactive: boolean;
  /** Writes one line of the command's result to stdout. */
  print(line: string): void;
  /** Opens the database through the server's own bootstrap (migrated to the latest, unless `migrate: false`). */
  withDatabase<T>(work: (database: DatabaseHandle) => Promise<T>, options?: { migrate?: boolean }): Promise<T>;
}

type OptionValue<S extends OptionSpec> = S['type'] extends 'string'
  ? S['multiple'] extends true ? string[] : string
  : S['multiple'] extends true ? boolean[] : boolean;

/** What `util.parseArgs` returns for these options (each absent unless given), plus `--help`. */
export interface ParsedOptions<O extends Record<string, OptionSpec>> {
  values: { [K in keyof O]?: OptionValue<O[K]> } & { help?: boolean };
  positionals: string[];
}

export function usage(spec: CommandSpec<Record<string, OptionSpec>>): string {
  const rows: Array<[string, string]> = Object.entries(spec.options).map(([name, option]) => [
    `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` <${option.valueName ?? 'value'}>` : ''}`,
    option.description + (option.multiple ? ' (repeatable)' : ''),
  ]);
  rows.push(['-h, --help', 'show this help and exit']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `Usage: npm run -s ${spec.name}${spec.synopsis ? ` -- ${spec.synopsis}` : ''}`,
    '',
    spec.description,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
    '',
    'Settings come from the same environment variables as the server (DATABASE_URL or DATA_DIR, ENCRYPTION_KEYS,',
    'LOG_LEVEL, NODE_ENV, …). Results go to stdout; progress and log lines to stderr.',
    'Exit status: 0 done, 1 failed, 2 bad arguments.',
  ].join('\n');
}

function parse<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, args: string[]): ParsedOptions<O> {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, option]) => [
      name,
      { type: option.type, multiple: option.multiple === true, ...(option.short ? { short: option.short } : {}) },
    ]),
  );
  const parsed = parseArgs({
    args,
    options: { ...options, help: { type: 'boolean', short: 'h', multiple: false } },
    strict: true,
    allowPositionals: true,
  }) as unknown as ParsedOptions<O>;
  const allowed = spec.maxPositionals ?? 0;
  if (!parsed.values.help && parsed.positionals.length > allowed) {
    throw new UsageError(`Unexpected argument "${parsed.positionals[allowed]}".`);
  }
  return parsed;
}

/** util.parseArgs reports unknown options, missing values and the like as TypeErrors with these codes. */
function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS_');
}

function stderrLogger(level: Config['logLevel'], interactive: boolean): Logger {
  return createLogger(level, (line) => {
    const text = interactive ? formatLogLineForTerminal(line) : line;
    if (text !== undefined) process.stderr.write(text + '\n');
  });
}

/** Parses the arguments, loads the settings and runs `main`; sets the exit status. */
export function runCommand<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  main: (args: ParsedOptions<O>, io: CommandIo) => Promise<void>,
  argv: string[] = process.argv.slice(2),
): void {
  const interactive = process.stderr.isTTY === true;
  const fail = (code: number, message: string) => {
    process.stderr.write(`${spec.name}: ${message}\n`);
    process.exitCode = code;
  };
  const usageText = usage(spec as CommandSpec<Record<string, OptionSpec>>);
  let parsed: ParsedOptions<O>;
  try {
    parsed = parse(spec, argv);
  } catch (error) {
    if (!(error instanceof UsageError) && !isParseArgsError(error)) throw error;
    return fail(EXIT_USAGE, `${error.message}\n\n${usageText}`);
  }
  if (parsed.values.help) {
    process.stdout.write(usageText + '\n');
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(EXIT_FAILED, `Configuration error: ${error.message}`);
  }
  const logger = stderrLogger(config.logLevel, interactive);
  const io: CommandIo = {
    config,
    logger,
    interactive,
    print: (line) => void process.stdout.write(line + '\n'),
    async withDatabase(work, options) {
      const database = await openDatabase(config, logger, options);
      try {
        return await work(database);
      } finally {
        await database.close();
      }
    },
  };
  main(parsed, io).then(
    () => {
      process.exitCode ??= EXIT_OK;
    },
    (error: unknown) => {
      if (error instanceof UsageError) return fail(EXIT_USAGE, `${error.message}\n\n${usageText}`);
      if (error instanceof EncryptionKeyConfigError) return fail(EXIT_FAILED, `Configuration error: ${error.message}`);
      fail(EXIT_FAILED, errorMessage(error));
    },
  );
}
