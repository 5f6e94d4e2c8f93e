import fs from 'node:fs';
import path from 'node:path';

import { runScript, scratchDir, type CliResult } from './cli';

/** A small released schema, so that these cases do not move with the real one. */
const RELEASED = `type Query {
  """Every thing."""
  things(
    """How many."""
    first: Int = 10
  ): [Thing!]!
}

"""A thing."""
type Thing {
  """Its id."""
  id: ID!
  """Its name."""
  name: String!
  """Its old name."""
  legacyName: String @deprecated(reason: "Use \`name\`.")
  """Its colour."""
  colour: Colour
}

"""A colour."""
enum Colour {
  """Red."""
  RED
  """Green."""
  GREEN
}
`;

let scratch: string;
let released: string;
let counter = 0;
beforeAll(() => {
  scratch = scratchDir('schema-diff-');
  released = path.join(scratch, 'released.graphql');
  fs.writeFileSync(released, RELEASED);
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** `schema:diff` of RELEASED after `edit`, with these acknowledgements. */
async function diffAfter(edit: (sdl: string) => string, acknowledgements: unknown[] = []): Promise<CliResult> {
  const name = `case-${++counter}`;
  const current = path.join(scratch, `${name}.graphql`);
  const acknowledged = path.join(scratch, `${name}.json`);
  const edited = edit(RELEASED);
  expect(edited).not.toBe(RELEASED);
  fs.writeFileSync(current, edited);
  fs.writeFileSync(acknowledged, JSON.stringify(acknowledgements));
  return runScript('schema-diff.js', ['--current', current, '--released', released, '--acknowledged', acknowledged]);
}

const removeLegacyName = (sdl: string) => sdl.replace('  """Its old name."""\n  legacyName: String @deprecated(reason: "Use `name`.")\n', '');
const LEGACY_REMOVED = { path: 'Thing.legacyName', message: "Field 'legacyName' (deprecated) was removed from object type 'Thing'" };

describe('schema:diff against the released schema', () => {
  it('passes on the committed schema.graphql and releases/', async () => {
    const result = await runScript('schema-diff.js');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^schema\.graphql against releases\/schema\.graphql: 0 breaking, \d+ dangerous, \d+ safe\.\n/);
  });

  it('prints safe and dangerous changes and passes', async () => {
    const result = await diffAfter((sdl) =>
      sdl
        .replace('  """Its colour."""', '  """When it was made."""\n  createdUtc: String\n  """Its colour."""')
        .replace('  GREEN\n', '  GREEN\n  """Blue."""\n  BLUE\n'),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 breaking, 1 dangerous, 3 safe.');
    expect(result.stdout).toContain("  DANGEROUS  Enum value 'BLUE' was added to enum 'Colour'  [Colour.BLUE]");
    expect(result.stdout).toContain("  safe       Field 'createdUtc' was added to object type 'Thing'  [Thing.createdUtc]");
  });

  it('fails on an unacknowledged breaking change and prints the entry to acknowledge it', async () => {
    const result = await diffAfter(removeLegacyName);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`  BREAKING   ${LEGACY_REMOVED.message}  [Thing.legacyName]\n             NOT ACKNOWLEDGED`);
    expect(result.stderr).toContain('1 unacknowledged breaking change(s).');
    const template = JSON.parse(result.stderr.slice(result.stderr.indexOf('[')));
    expect(template).toEqual([{ ...LEGACY_REMOVED, reason: 'TODO: why clients can take this' }]);
  });

  it('passes once the break is acknowledged with a reason, and says so', async () => {
    const reason = 'Deprecated since 0.1; no client has read it in 90 days.';
    const result = await diffAfter(removeLegacyName, [{ ...LEGACY_REMOVED, reason }]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`acknowledged: ${reason}`);
    expect(result.stderr).toBe('');
  });

  it('refuses to remove a field, argument or enum value the released schema did not deprecate, even when acknowledged', async () => {
    const cases: Array<[(sdl: string) => string, string]> = [
      [(sdl) => sdl.replace('  """Its name."""\n  name: String!\n', ''), 'Thing.name'],
      [(sdl) => sdl.replace('(\n    """How many."""\n    first: Int = 10\n  )', ''), 'Query.things.first'],
      [(sdl) => sdl.replace('  """Green."""\n  GREEN\n', ''), 'Colour.GREEN'],
    ];
    for (const [edit, changePath] of cases) {
      const first = await diffAfter(edit);
      const message = /BREAKING {3}(.*) {2}\[/.exec(first.stdout)?.[1];
      expect(message).toBeDefined();
      const result = await diffAfter(edit, [{ path: changePath, message, reason: 'We are sure.' }]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`[${changePath}]\n             NOT DEPRECATED IN THE RELEASE`);
      expect(result.stderr).toContain('Retire a field, argument, input field or enum value with @deprecated');
    }
  });

  it('fails other breaking changes (a type change) unless acknowledged', async () => {
    const edit = (sdl: string) => sdl.replace('  name: String!', '  name: Int!');
    const failed = await diffAfter(edit);
    expect(failed.code).toBe(1);
    const [entry] = JSON.parse(failed.stderr.slice(failed.stderr.indexOf('['))) as Array<{ path: string; message: string }>;
    expect(entry).toMatchObject({ path: 'Thing.name' });
    expect((await diffAfter(edit, [{ ...entry, reason: 'Names became numbers.' }])).code).toBe(0);
  });

  it('rejects acknowledgements without a real reason, and notes ones that match nothing', async () => {
    const todo = await diffAfter(removeLegacyName, [{ ...LEGACY_REMOVED, reason: 'TODO: why clients can take this' }]);
    expect(todo.code).toBe(2);
    expect(todo.stderr).toContain('entry 0 needs a `reason` saying why the break is acceptable.');
    const unused = await diffAfter(removeLegacyName, [
      { ...LEGACY_REMOVED, reason: 'Retired.' },
      { path: 'Thing.id', message: 'Something that did not happen', reason: 'Stale.' },
    ]);
    expect(unused.code).toBe(0);
    expect(unused.stdout).toContain('note: no breaking change matches the acknowledgement "Something that did not happen"; remove it.');
  });

  it('releases: the current schema becomes the released one and the acknowledgements are emptied', async () => {
    const current = path.join(scratch, 'to-release.graphql');
    const target = path.join(scratch, 'releases', 'schema.graphql');
    const acknowledged = path.join(scratch, 'releases', 'acknowledged.json');
    fs.writeFileSync(current, removeLegacyName(RELEASED));
    const result = await runScript('schema-diff.js', ['--release', '--current', current, '--released', target, '--acknowledged', acknowledged]);
    expect(result.code).toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toBe(removeLegacyName(RELEASED));
    expect(JSON.parse(fs.readFileSync(acknowledged, 'utf8'))).toEqual([]);
    const after = await runScript('schema-diff.js', ['--current', current, '--released', target, '--acknowledged', acknowledged]);
    expect(after).toMatchObject({ code: 0 });
    expect(after.stdout).toContain('0 breaking, 0 dangerous, 0 safe.');
  });

});
