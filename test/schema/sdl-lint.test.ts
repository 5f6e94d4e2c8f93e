import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { projectRoot, scratchDir } from './cli';

/** ESLint with the project's own config, run from `cwd` over `target`: its findings as `file:line rule`. */
function eslint(cwd: string, target: string): Promise<string[]> {
  const bin = path.join(projectRoot, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const args = [bin, '--config', path.join(projectRoot, 'eslint.config.js'), '--format', 'json', target];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      // Exit 1 means findings; anything else (a crash, a bad config) is a failure of the lint itself.
      if (error && error.code !== 1) return reject(new Error(stderr || String(error)));
      const results = JSON.parse(stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string | null; line: number }> }>;
      resolve(
        results.flatMap((result) => result.messages.map((message) => `${path.basename(result.filePath)}:${message.line} ${message.ruleId}`)),
      );
    });
  });
}

/** Breaks one rule per definition; reachable from Query so that only Orphan is unreachable. */
const PROBE = `extend type Query {
  """Reaches the probe."""
  probe: Probe
}

type Probe {
  """Its id."""
  id: ID!
  bad_name: String
  "An inline description."
  inline: String
  """Retired without saying why."""
  old: String @deprecated
}

"""Never used."""
type Orphan {
  """Its id."""
  id: ID!
}

"""A result with no identity that is not listed as such."""
type ProbeOutcome {
  """Whether it worked."""
  ok: Boolean!
}

extend type Probe {
  """How it went."""
  outcome: ProbeOutcome
}
`;

let scratch: string;
beforeAll(() => {
  scratch = scratchDir('sdl-lint-');
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('SDL lint (graphql-eslint)', () => {
  it('finds nothing in schema/', async () => {
    expect(await eslint(projectRoot, 'schema')).toEqual([]);
  });

  it('reports missing descriptions, naming, description style, unreachable types, deprecation reasons and ids', async () => {
    fs.cpSync(path.join(projectRoot, 'schema'), path.join(scratch, 'schema'), { recursive: true });
    fs.writeFileSync(path.join(scratch, 'schema', 'zz-probe.graphql'), PROBE);
    const findings = (await eslint(scratch, 'schema')).filter((finding) => finding.startsWith('zz-probe.graphql:'));
    expect(findings.sort()).toEqual(
      [
        'zz-probe.graphql:6 @graphql-eslint/require-description', // type Probe
        'zz-probe.graphql:9 @graphql-eslint/require-description', // bad_name
        'zz-probe.graphql:9 @graphql-eslint/naming-convention', // bad_name is not camelCase
        'zz-probe.graphql:10 @graphql-eslint/description-style', // "inline" rather than """block"""
        'zz-probe.graphql:13 @graphql-eslint/require-deprecation-reason',
        'zz-probe.graphql:17 @graphql-eslint/no-unreachable-types', // Orphan
        'zz-probe.graphql:23 @graphql-eslint/strict-id-in-types', // ProbeOutcome has no id and is not a listed value type
      ].sort(),
    );
  });
});
