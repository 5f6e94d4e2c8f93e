// @ts-check
/**
 * Rewrites inline `"…"` descriptions in SDL files as block `"""…"""` ones, the style the SDL lint
 * (`@graphql-eslint/description-style`) asks for and has no automatic fix for. Every description keeps
 * its exact value: the script refuses to write a file whose descriptions would read differently.
 * Usage: node scripts/sdl-block-descriptions.js [FILE...]   (default: schema/*.graphql)
 */
const fs = require('node:fs');
const path = require('node:path');

const { parse, visit } = require('graphql');

const { paths, relative } = require('./schema-files');

/**
 * @param {string} source
 * @returns {Array<{ start: number; end: number; value: string }>}
 */
function inlineDescriptions(source) {
  /** @type {Array<{ start: number; end: number; value: string }>} */
  const found = [];
  visit(parse(source), {
    enter(node) {
      const description = 'description' in node ? node.description : undefined;
      if (description && !description.block && description.loc) {
        found.push({ start: description.loc.start, end: description.loc.end, value: description.value });
      }
    },
  });
  return found;
}

/** @param {string} source */
function descriptionValues(source) {
  /** @type {string[]} */
  const values = [];
  visit(parse(source), {
    enter(node) {
      if ('description' in node && node.description) values.push(node.description.value);
    },
  });
  return JSON.stringify(values);
}

/**
 * The block string for a description at `start` in `source`: one line when the value allows it.
 * @param {string} source
 * @param {number} start
 * @param {string} value
 */
function blockString(source, start, value) {
  const escaped = value.replace(/"""/g, '\\"""');
  if (!value.includes('\n') && !value.endsWith('"') && value.trim() === value && value !== '') return `"""${escaped}"""`;
  const indent = source.slice(source.lastIndexOf('\n', start - 1) + 1, start);
  return `"""\n${escaped
    .split('\n')
    .map((line) => indent + line)
    .join('\n')}\n${indent}"""`;
}

/** @param {string} file */
function convert(file) {
  const source = fs.readFileSync(file, 'utf8');
  let output = source;
  const spans = inlineDescriptions(source).sort((a, b) => b.start - a.start);
  for (const { start, end, value } of spans) output = output.slice(0, start) + blockString(source, start, value) + output.slice(end);
  if (descriptionValues(output) !== descriptionValues(source)) throw new Error(`${relative(file)}: a description would change; nothing written.`);
  if (spans.length > 0) fs.writeFileSync(file, output);
  process.stdout.write(`${relative(file)}: ${spans.length} inline description(s) rewritten.\n`);
}

const files = process.argv.slice(2);
const targets =
  files.length > 0
    ? files
    : fs
        .readdirSync(paths.sdlDir)
        .filter((file) => file.endsWith('.graphql'))
        .map((file) => path.join(paths.sdlDir, file));
try {
  for (const file of targets) convert(file);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
