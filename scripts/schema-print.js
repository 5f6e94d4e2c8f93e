// @ts-check
/**
 * `npm run schema:print` writes the merged schema to schema.graphql; `npm run schema:check` (`--check`)
 * writes nothing and fails when schema.graphql differs from what the SDL in schema/ prints.
 */
const fs = require('node:fs');
const path = require('node:path');

const { paths, printMergedSchema, parseOptions, relative } = require('./schema-files');

const USAGE = `Usage: node scripts/schema-print.js [--check] [--sdl DIR] [--out FILE]

Prints the merged schema of the SDL files in DIR (default schema/) to FILE (default schema.graphql).
  --check   write nothing; exit 1 when FILE is missing or differs from the printed schema
`;

function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), ['sdl', 'out'], ['check', 'help']);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const sdlDir = typeof options.sdl === 'string' ? path.resolve(options.sdl) : paths.sdlDir;
  const out = typeof options.out === 'string' ? path.resolve(options.out) : paths.printed;
  const printed = printMergedSchema(sdlDir);

  if (!options.check) {
    fs.writeFileSync(out, printed);
    process.stdout.write(`Wrote ${relative(out)} (${printed.split('\n').length} lines).\n`);
    return 0;
  }
  const committed = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : null;
  if (committed === printed) {
    process.stdout.write(`${relative(out)} is up to date.\n`);
    return 0;
  }
  const message =
    committed === null
      ? `${relative(out)} is missing.`
      : `${relative(out)} is stale: it differs from the SDL from line ${firstDifferentLine(committed, printed)}.`;
  process.stderr.write(`${message} Run \`npm run schema:print\` and commit the result.\n`);
  return 1;
}

/**
 * @param {string} a
 * @param {string} b
 */
function firstDifferentLine(a, b) {
  const left = a.split('\n');
  const right = b.split('\n');
  let line = 0;
  while (line < left.length && left[line] === right[line]) line++;
  return line + 1;
}

try {
  process.exitCode = main();
} catch (error) {
  // An SDL that does not parse or merge: say where, as graphql-js does.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
