// @ts-check
/**
 * Where the schema governance files live, and how the merged schema is printed. Shared by
 * scripts/schema-print.js and scripts/schema-diff.js; plain CommonJS so that they run without a build.
 */
const fs = require('node:fs');
const path = require('node:path');

const { makeExecutableSchema } = require('@graphql-tools/schema');
const { printSchemaWithDirectives } = require('@graphql-tools/utils');
const { buildSchema, lexicographicSortSchema } = require('graphql');

const projectRoot = path.resolve(__dirname, '..');

const paths = {
  /** The SDL source of truth: one file per domain, merged in file-name order like the server does. */
  sdlDir: path.join(projectRoot, 'schema'),
  /** The merged schema as clients see it, committed. */
  printed: path.join(projectRoot, 'schema.graphql'),
  /** The schema of the last release, committed: what breaking changes are measured against. */
  released: path.join(projectRoot, 'releases', 'schema.graphql'),
  /** Breaking changes since the last release that were made on purpose, each with a reason. */
  acknowledged: path.join(projectRoot, 'releases', 'acknowledged-breaking-changes.json'),
};

const HEADER = '# The merged schema, printed from schema/*.graphql by `npm run schema:print`: do not edit.\n\n';

/**
 * The SDL files merged as the server merges them, printed with every directive definition and usage
 * (`@listSize`, `@oneOf`, `@specifiedBy`, `@deprecated`) and every description. Types, fields,
 * arguments and enum values are sorted by name, so moving a definition between SDL files changes nothing.
 * @param {string} sdlDir
 * @returns {string}
 */
function printMergedSchema(sdlDir = paths.sdlDir) {
  const typeDefs = fs
    .readdirSync(sdlDir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => fs.readFileSync(path.join(sdlDir, file), 'utf8'));
  const schema = makeExecutableSchema({ typeDefs });
  return HEADER + printSchemaWithDirectives(lexicographicSortSchema(schema)) + '\n';
}

/**
 * A printed schema file, built into a schema to compare.
 * @param {string} file
 */
function loadPrintedSchema(file) {
  return buildSchema(fs.readFileSync(file, 'utf8'));
}

/**
 * `--name value` options; anything else is a usage error.
 * @param {string[]} argv
 * @param {string[]} valueOptions options that take a value
 * @param {string[]} flags options that do not
 */
function parseOptions(argv, valueOptions, flags) {
  /** @type {Record<string, string | boolean>} */
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const name = (argv[i] ?? '').replace(/^--/, '');
    if (flags.includes(name)) options[name] = true;
    else if (valueOptions.includes(name) && argv[i + 1] !== undefined) options[name] = String(argv[++i]);
    else throw new Error(`Unknown or incomplete option: ${argv[i]}`);
  }
  return options;
}

/** @param {string} file */
function relative(file) {
  return path.relative(process.cwd(), file) || file;
}

module.exports = { paths, printMergedSchema, loadPrintedSchema, parseOptions, relative };
