/** Command-line flags of `npm run bench -- …`. */
import { SERVERS, type ServerKind } from './cases/types';

export interface Options {
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  cases: string[] | undefined;
  servers: ServerKind[];
  reseed: boolean;
  check: boolean;
  accept: boolean;
  /** Write bench/results/<date>.json and .md (off with --no-save). */
  save: boolean;
  quick: boolean;
  /** Compile the service into .bench-build/ first (off with --no-build: use dist/ as it is). */
  build: boolean;
}

export const USAGE = `Usage: npm run bench -- [flags]

  --duration <s>      timed window per measurement (default 20)
  --warmup <s>        warm-up before each window (default 5)
  --rounds <n>        rounds, alternating the servers' order (default 2)
  --cases <a,b>       only these cases (light, heavy, single, write)
  --servers <a,b>     only these servers (ours, postgraphile, loop, bare); ratios need ours and the other
  --quick             3 s windows after 1 s warm-ups, for trying things out
  --reseed            drop and re-seed the benchmark database
  --check             exit 1 when SQL statements per request differ from bench/baseline.json or a
                      ratio falls more than 20 % below its baseline
  --accept            write bench/baseline.json from this run (also --write-baseline)
  --no-save           do not write bench/results/
  --no-build          measure dist/ as it is instead of compiling src/ into .bench-build/
  --help

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/account_integrations_bench).`;

export function positive(flag: string, value: string | undefined): number {
  const parsed = Number(value);
  if (value === undefined || !Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag} needs a positive number`);
  return parsed;
}

export function list(flag: string, value: string | undefined): string[] {
  if (!value) throw new Error(`${flag} needs a comma-separated list`);
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

export function parseOptions(argv: readonly string[]): Options | 'help' {
  const options: Options = {
    durationSeconds: 20,
    warmupSeconds: 5,
    rounds: 2,
    cases: undefined,
    servers: [...SERVERS],
    reseed: false,
    check: false,
    accept: false,
    save: true,
    quick: false,
    build: true,
  };
  let duration: number | undefined;
  let warmup: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const value = () => inline ?? argv[++i];
    switch (name) {
      case '--duration': duration = positive(name, value()); break;
      case '--warmup': warmup = positive(name, value()); break;
      case '--rounds': options.rounds = Math.round(positive(name, value())); break;
      case '--cases': options.cases = list(name, value()); break;
      case '--servers': {
        const servers = list(name, value());
        const unknown = servers.filter((s) => !(SERVERS as readonly string[]).includes(s));
        if (unknown.length) throw new Error(`unknown server ${unknown.join(', ')}; servers: ${SERVERS.join(', ')}`);
        options.servers = SERVERS.filter((s) => servers.includes(s));
        break;
      }
      case '--quick': options.quick = true; break;
      case '--reseed': options.reseed = true; break;
      case '--check': options.check = true; break;
      case '--accept':
      case '--write-baseline': options.accept = true; break;
      case '--no-save': options.save = false; break;
      case '--no-build': options.build = false; break;
      case '--help':
      case '-h': return 'help';
      default: throw new Error(`unknown flag ${flag}\n\n${USAGE}`);
    }
  }
  options.durationSeconds = duration ?? (options.quick ? 3 : 20);
  options.warmupSeconds = warmup ?? (options.quick ? 1 : 5);
  return options;
}
