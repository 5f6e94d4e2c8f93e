import fs from 'node:fs';
import path from 'node:path';

import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { buildSchema as buildFromSdl, isInputObjectType, isScalarType, lexicographicSortSchema } from 'graphql';

import { buildSchema } from '../../src/schema';
import { projectRoot, runScript, scratchDir } from './cli';

const committedPath = path.join(projectRoot, 'schema.graphql');
const committed = () => fs.readFileSync(committedPath, 'utf8');
const withoutHeader = (text: string) => text.replace(/^#.*\n\n/, '');

let scratch: string;
beforeAll(() => {
  scratch = scratchDir('printed-schema-');
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A copy of schema/ in the scratch folder, for SDL edits that must not touch the real one. */
function copyOfSdl(name: string): string {
  const dir = path.join(scratch, name);
  fs.cpSync(path.join(projectRoot, 'schema'), dir, { recursive: true });
  return dir;
}

describe('schema.graphql, the printed schema', () => {
  it('is exactly the schema the server runs, sorted, with directive definitions, usages and descriptions', () => {
    const served = buildSchema();
    expect(withoutHeader(committed())).toBe(printSchemaWithDirectives(lexicographicSortSchema(served)) + '\n');

    const text = committed();
    expect(text).toMatch(/^directive @listSize\(/m);
    expect(text).toMatch(/@listSize\(assumedSize: \d+\)/);
    expect(text).toContain('"""\nA customer account: the tenant');
    // Every `@oneOf` input and `@specifiedBy` scalar the server has keeps its directive in the file.
    for (const type of Object.values(served.getTypeMap())) {
      if (isInputObjectType(type) && type.isOneOf) expect(text).toContain(`input ${type.name} @oneOf {`);
      if (isScalarType(type) && type.specifiedByURL) expect(text).toContain(`scalar ${type.name} @specifiedBy(url: "${type.specifiedByURL}")`);
    }
    // It builds on its own, as a client's tooling would read it.
    expect(Object.keys(buildFromSdl(text).getTypeMap())).toEqual(expect.arrayContaining(['AccountIntegration', 'PageInfo']));
  });

  it('passes `schema:check` as committed', async () => {
    const result = await runScript('schema-print.js', ['--check']);
    expect(result).toMatchObject({ code: 0, stdout: 'schema.graphql is up to date.\n' });
  });

  it('does not depend on which SDL file a definition lives in', async () => {
    const sdl = copyOfSdl('moved');
    const account = fs.readFileSync(path.join(sdl, 'account.graphql'), 'utf8');
    const definition = /"""\nA customer account[\s\S]*?\n}\n/.exec(account)?.[0];
    expect(definition).toBeDefined();
    fs.writeFileSync(path.join(sdl, 'account.graphql'), account.replace(definition!, ''));
    fs.writeFileSync(path.join(sdl, 'zz-moved.graphql'), definition!);
    const out = path.join(scratch, 'moved.graphql');
    expect((await runScript('schema-print.js', ['--sdl', sdl, '--out', out])).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(committed());
  });

  it('fails `schema:check` when the SDL changed and the printed schema did not, and when it is missing', async () => {
    const sdl = copyOfSdl('stale');
    const file = path.join(sdl, 'account.graphql');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Display name of the account.', 'The account name.'));
    const stale = await runScript('schema-print.js', ['--check', '--sdl', sdl, '--out', committedPath]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^schema\.graphql is stale: it differs from the SDL from line \d+\. Run `npm run schema:print` and commit the result\.\n$/);

    const missing = await runScript('schema-print.js', ['--check', '--out', path.join(scratch, 'absent.graphql')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('absent.graphql is missing.');
    expect(fs.existsSync(path.join(scratch, 'absent.graphql'))).toBe(false);
  });

  it('reports an SDL that does not build, and a wrong option, without writing', async () => {
    const sdl = copyOfSdl('broken');
    fs.writeFileSync(path.join(sdl, 'broken.graphql'), 'type Broken { field: Missing }\n');
    const out = path.join(scratch, 'broken.graphql');
    const broken = await runScript('schema-print.js', ['--sdl', sdl, '--out', out]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('Missing');
    expect(fs.existsSync(out)).toBe(false);
    const usage = await runScript('schema-print.js', ['--chek']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: node scripts/schema-print.js');
  });
});
