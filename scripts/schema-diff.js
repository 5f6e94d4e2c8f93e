// @ts-check
/**
 * `npm run schema:diff` compares schema.graphql with the last released schema (releases/schema.graphql)
 * using GraphQL Inspector. It prints every change by criticality and fails on a breaking change that
 * releases/acknowledged-breaking-changes.json does not acknowledge. A field, argument, input field or
 * enum value may only be removed once the released schema marks it `@deprecated`.
 * `--release` makes the current schema the released one and empties the acknowledgements.
 */
const fs = require('node:fs');
const path = require('node:path');

const { diff, CriticalityLevel } = require('@graphql-inspector/core');
const { isEnumType, isInputObjectType, isInterfaceType, isObjectType } = require('graphql');

const { paths, loadPrintedSchema, parseOptions, relative } = require('./schema-files');

const USAGE = `Usage: node scripts/schema-diff.js [--current FILE] [--released FILE] [--acknowledged FILE] [--release]

Compares FILE (default schema.graphql) with the released schema (default releases/schema.graphql).
Exits 1 on a breaking change not acknowledged in releases/acknowledged-breaking-changes.json:
  [{ "path": "<change path>", "message": "<change message>", "reason": "<why it is acceptable>" }]
  --release   copy the current schema over the released one and empty the acknowledgements
`;

/** Removals that must be preceded by a release in which the element was `@deprecated`. */
const RETIRED_ONLY_AFTER_DEPRECATION = new Set(['FIELD_REMOVED', 'FIELD_ARGUMENT_REMOVED', 'INPUT_FIELD_REMOVED', 'ENUM_VALUE_REMOVED']);

class UsageError extends Error {}

/**
 * @typedef {{ path?: string; message: string; reason: string }} Acknowledgement
 * @typedef {import('@graphql-inspector/core').Change} Change
 */

/**
 * @param {string} file
 * @returns {Acknowledgement[]}
 */
function readAcknowledgements(file) {
  if (!fs.existsSync(file)) return [];
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${relative(file)} must hold a JSON array of acknowledgements.`);
  parsed.forEach((entry, index) => {
    const problems = [];
    if (typeof entry?.message !== 'string' || entry.message === '') problems.push('`message` (the change message, as printed)');
    if (entry?.path !== undefined && typeof entry.path !== 'string') problems.push('`path` as a string');
    if (typeof entry?.reason !== 'string' || entry.reason.trim() === '' || /^TODO\b/i.test(entry.reason.trim())) {
      problems.push('a `reason` saying why the break is acceptable');
    }
    if (problems.length > 0) throw new Error(`${relative(file)}: entry ${index} needs ${problems.join(', ')}.`);
  });
  return parsed;
}

/**
 * @param {Acknowledgement} entry
 * @param {Change} change
 */
function acknowledges(entry, change) {
  return entry.message === change.message && (entry.path ?? null) === (change.path ?? null);
}

/**
 * The deprecation reason the released schema gave the element a removal change names, if any.
 * @param {import('graphql').GraphQLSchema} released
 * @param {Change} change
 * @returns {string | null | undefined}
 */
function releasedDeprecation(released, change) {
  const [typeName, member, argument] = (change.path ?? '').split('.');
  const type = typeName ? released.getType(typeName) : undefined;
  if (!type || !member) return undefined;
  if (isEnumType(type)) return type.getValue(member)?.deprecationReason;
  if (isInputObjectType(type)) return type.getFields()[member]?.deprecationReason;
  if (!isObjectType(type) && !isInterfaceType(type)) return undefined;
  const field = type.getFields()[member];
  if (argument === undefined) return field?.deprecationReason;
  return field?.args.find((arg) => arg.name === argument)?.deprecationReason;
}

/** @param {Change} change */
function describe(change) {
  return `${change.message}${change.path ? `  [${change.path}]` : ''}`;
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), ['current', 'released', 'acknowledged'], ['release', 'help']);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const current = typeof options.current === 'string' ? path.resolve(options.current) : paths.printed;
  const releasedFile = typeof options.released === 'string' ? path.resolve(options.released) : paths.released;
  const acknowledgedFile = typeof options.acknowledged === 'string' ? path.resolve(options.acknowledged) : paths.acknowledged;

  if (options.release) {
    loadPrintedSchema(current); // refuse to release a schema that does not build
    fs.mkdirSync(path.dirname(releasedFile), { recursive: true });
    fs.copyFileSync(current, releasedFile);
    fs.writeFileSync(acknowledgedFile, '[]\n');
    process.stdout.write(`Released ${relative(current)} as ${relative(releasedFile)}; ${relative(acknowledgedFile)} emptied.\n`);
    return 0;
  }

  const released = loadPrintedSchema(releasedFile);
  const changes = await diff(released, loadPrintedSchema(current));
  const acknowledgements = readAcknowledgements(acknowledgedFile);
  const byLevel = (/** @type {string} */ level) => changes.filter((change) => change.criticality.level === level);
  const breaking = byLevel(CriticalityLevel.Breaking);
  const dangerous = byLevel(CriticalityLevel.Dangerous);
  const safe = byLevel(CriticalityLevel.NonBreaking);

  process.stdout.write(`${relative(current)} against ${relative(releasedFile)}: ${breaking.length} breaking, ${dangerous.length} dangerous, ${safe.length} safe.\n`);
  /** @type {Change[]} */
  const unacknowledged = [];
  /** @type {Change[]} */
  const undeprecated = [];
  for (const change of breaking) {
    const entry = acknowledgements.find((candidate) => acknowledges(candidate, change));
    const mustBeDeprecated = RETIRED_ONLY_AFTER_DEPRECATION.has(change.type) && releasedDeprecation(released, change) == null;
    if (mustBeDeprecated) undeprecated.push(change);
    else if (!entry) unacknowledged.push(change);
    const status = mustBeDeprecated ? 'NOT DEPRECATED IN THE RELEASE' : entry ? `acknowledged: ${entry.reason}` : 'NOT ACKNOWLEDGED';
    process.stdout.write(`  BREAKING   ${describe(change)}\n             ${status}\n`);
  }
  for (const change of dangerous) process.stdout.write(`  DANGEROUS  ${describe(change)}\n`);
  for (const change of safe) process.stdout.write(`  safe       ${describe(change)}\n`);
  for (const entry of acknowledgements) {
    if (!breaking.some((change) => acknowledges(entry, change))) {
      process.stdout.write(`  note: no breaking change matches the acknowledgement ${JSON.stringify(entry.message)}; remove it.\n`);
    }
  }

  if (undeprecated.length > 0) {
    process.stderr.write(
      `\n${undeprecated.length} removal(s) of elements the released schema did not deprecate. Retire a field, argument, ` +
        'input field or enum value with @deprecated(reason: "…") in one release, and remove it in a later one.\n',
    );
  }
  if (unacknowledged.length > 0) {
    process.stderr.write(
      `\n${unacknowledged.length} unacknowledged breaking change(s). If each is intended, add it to ${relative(acknowledgedFile)} with a reason:\n` +
        JSON.stringify(unacknowledged.map((change) => ({ path: change.path, message: change.message, reason: 'TODO: why clients can take this' })), null, 2) +
        '\n',
    );
  }
  return undeprecated.length + unacknowledged.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    const usage = error instanceof UsageError ? `\n\n${USAGE}` : '\n';
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}${usage}`);
    process.exitCode = 2;
  },
);
