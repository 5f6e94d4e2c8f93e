/**
 * Parser for the activity catalog seed (`seeds/activity-catalog.txt`, a copy of the docs page).
 *
 * The document is line oriented:
 *
 *   <section heading>                      e.g. "Ticket management", "Slack integration"
 *   <name>                                 the name twice on consecutive lines …
 *   <name>
 *   Source: Platform | Source: Registered App
 *   Compensation: <name>                   (optional)
 *   Description: <text>Request payload:    or "<text>Available operations:" followed by "- …" lines
 *   { …request field map… }                the seed's JSON field notation
 *   { …response field map… }               (optional)
 *
 * A field map is `{ "<field>": <field spec>, … }` and a field spec is
 * `{ "type", "required" | "optional", "description", "items", "properties", "enum", "minimum", "maximum" }`.
 * Both are converted to JSON Schema. Anything unexpected throws, naming the line, so a format change in a
 * re-copied seed fails loudly instead of producing silently wrong schemas.
 *
 * Pure: no I/O; the caller reads the file.
 */
import type { ActivitySeed, ActivitySource, ActivityThrottler } from './types';

// ---------------------------------------------------------------------------------------------------------
// Sections, capabilities and throttling: the decisions the seed leaves to us.
// ---------------------------------------------------------------------------------------------------------

interface CatalogSection {
  /** First segment of `uniqueIdentifier`. */
  group: string;
  partnerKey: string | null;
}

/**
 * Every heading that has activities under it. A heading missing here throws: a new section needs a decision on
 * its group, partner, capability and throttling, which a guess would hide.
 */
const SECTIONS_BY_HEADING: ReadonlyMap<string, CatalogSection> = new Map([
  ['Ticket management', { group: 'tickets', partnerKey: null }],
  ['Comment management', { group: 'comments', partnerKey: null }],
  ['Account management', { group: 'accounts', partnerKey: null }],
  ['Customer contact management', { group: 'contacts', partnerKey: null }],
  // Sleep, trigger workflow and the availability checks: flow control rather than a business object.
  ['Utilities', { group: 'utility', partnerKey: null }],
  ['Slack integration', { group: 'slack', partnerKey: 'slack' }],
  ['Jira integration', { group: 'jira', partnerKey: 'jira' }],
  // Registered-app activities, but not tied to a partner integration, so no partner key or capability.
  ['AI agent activities', { group: 'ai', partnerKey: null }],
]);

/** Headings that group sections ("Core platform activities" > "Ticket management"): an activity's category. */
const CATEGORY_HEADINGS: ReadonlySet<string> = new Set(['Core platform activities', 'Integration activities']);

/**
 * Capability an integration must have enabled to run a partner activity, keyed by `<group>:<slug>` or
 * `<group>:*`. A partner activity without an entry throws (see {@link SECTIONS_BY_HEADING}).
 */
const CAPABILITY_BY_ACTIVITY: ReadonlyMap<string, string> = new Map([
  ['slack:post-message', 'MESSAGING'],
  ['slack:edit-message', 'MESSAGING'],
  ['slack:delete-message', 'MESSAGING'],
  ['slack:add-reaction', 'MESSAGING'],
  ['slack:remove-reaction', 'MESSAGING'],
  ['slack:join-channel', 'CHANNEL_MANAGEMENT'],
  ['slack:leave-channel', 'CHANNEL_MANAGEMENT'],
  ['slack:add-member', 'CHANNEL_MANAGEMENT'],
  ['slack:remove-member', 'CHANNEL_MANAGEMENT'],
  ['jira:*', 'ISSUE_TRACKING'],
]);

export interface ThrottlerDefault {
  /** `<group>:<slug>` for one activity, `<group>:*` for a section, `*` for everything else. First match wins. */
  appliesTo: string;
  throttler: ActivityThrottler;
  /** Where the numbers come from. */
  rationale: string;
}

/**
 * Throttling defaults. The seed only says throttlers have a window, a limit, a key and an enable flag, so these
 * numbers are ours. Keys are `integration` or `payload:<top-level request field>`; a payload key naming a
 * field the request does not declare throws.
 */
export const ACTIVITY_THROTTLER_DEFAULTS: readonly ThrottlerDefault[] = [
  {
    appliesTo: 'slack:post-message',
    throttler: { enabled: true, limit: 1, windowSeconds: 1, key: 'payload:channel' },
    rationale: 'Slack allows about one chat.postMessage per second per channel.',
  },
  {
    appliesTo: 'slack:*',
    throttler: { enabled: true, limit: 20, windowSeconds: 60, key: 'integration' },
    rationale: 'Other Slack Web API calls (Tier 2/3 methods): stay below the 20-per-minute floor per workspace.',
  },
  {
    appliesTo: 'jira:*',
    throttler: { enabled: true, limit: 10, windowSeconds: 60, key: 'integration' },
    rationale: 'Jira Cloud rate limits are cost based and undocumented per call; 10 per minute is conservative.',
  },
  {
    appliesTo: 'ai:*',
    throttler: { enabled: true, limit: 5, windowSeconds: 60, key: 'integration' },
    rationale: 'AI-assisted ticket activities call a model: slow and billed per request.',
  },
  {
    appliesTo: '*',
    throttler: { enabled: true, limit: 100, windowSeconds: 60, key: 'integration' },
    rationale: 'Platform activities run against our own API; the limit only guards against runaway workflows.',
  },
];

// ---------------------------------------------------------------------------------------------------------
// Public entry point
// ---------------------------------------------------------------------------------------------------------

/**
 * Parses the activity catalog seed into activities, in document order.
 *
 * Entries whose description ends in "Available operations:" (e.g. "Account relationships") are overviews of
 * several operations with no payload; they are skipped, since no schema can be derived from a bullet list and
 * the concrete operations are documented as their own entries.
 */
export function parseActivityCatalog(text: string): ActivitySeed[] {
  const entries = readCatalogEntries(text.split(/\r?\n/));
  const identifiers = assignUniqueIdentifiers(entries);
  return entries.map((entry, index) => {
    const uniqueIdentifier = identifiers[index];
    if (uniqueIdentifier === undefined) throw new Error('internal: identifier count does not match entry count');
    return toActivitySeed(entry, uniqueIdentifier, entries, identifiers);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Document structure
// ---------------------------------------------------------------------------------------------------------

interface CatalogEntry {
  name: string;
  /** 1-based line of the name, for messages. */
  line: number;
  section: CatalogSection;
  /** The section's heading and the category heading above it, as the seed writes them. */
  sectionHeading: string;
  category: string | null;
  /** `<group>:<slug of name>`, before collision handling. */
  baseIdentifier: string;
  source: ActivitySource;
  compensationName: string | null;
  description: string;
  requestSchema: JsonSchema;
  responseSchema: JsonSchema | null;
}

const SOURCES_BY_LABEL: ReadonlyMap<string, ActivitySource> = new Map([
  ['Platform', 'PLATFORM'],
  ['Registered App', 'REGISTERED_APP'],
]);

const PAYLOAD_MARKER = 'Request payload:';
const OPERATIONS_MARKER = 'Available operations:';

function readCatalogEntries(lines: readonly string[]): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  // The last free-standing line seen outside an entry: the section heading of the next entry.
  let heading: { text: string; line: number } | null = null;
  let category: string | null = null;
  let index = 0;
  while (index < lines.length) {
    const line = lineAt(lines, index).trim();
    if (line === '') {
      index += 1;
    } else if (isEntryStart(lines, index)) {
      const parsed = readEntry(lines, index, heading, category);
      if (parsed.entry) entries.push(parsed.entry);
      index = parsed.nextIndex;
    } else if (/^[{}[\]"]/.test(line)) {
      // An extra brace or a third block would otherwise pass for a heading and confuse the next entry's error.
      throw new Error(`activity catalog line ${index + 1}: JSON outside an activity ("${line}")`);
    } else {
      // Prose and headings outside entries (the introduction, "Best practices") only matter as headings.
      if (!/^[-•]/.test(line)) heading = { text: line, line: index + 1 };
      if (CATEGORY_HEADINGS.has(line)) category = line;
      index += 1;
    }
  }
  if (entries.length === 0) {
    throw new Error('activity catalog: no activities found (expected "<name>", "<name>", "Source: …")');
  }
  return entries;
}

/** An entry starts with its name on two identical lines followed by "Source:"; headings are never doubled that way. */
function isEntryStart(lines: readonly string[], index: number): boolean {
  const name = lines[index]?.trim();
  const sourceLine = lines[index + 2]?.trim() ?? '';
  return Boolean(name) && lines[index + 1]?.trim() === name && sourceLine.startsWith('Source:');
}

function readEntry(
  lines: readonly string[],
  startIndex: number,
  heading: { text: string; line: number } | null,
  category: string | null,
): { entry: CatalogEntry | null; nextIndex: number } {
  const name = lineAt(lines, startIndex).trim();
  const where = `activity catalog line ${startIndex + 1} ("${name}")`;

  const sourceLabel = lineAt(lines, startIndex + 2).trim().slice('Source:'.length).trim();
  const source = SOURCES_BY_LABEL.get(sourceLabel);
  if (!source) {
    throw new Error(
      `${where}: unknown source "${sourceLabel}" on line ${startIndex + 3}; expected "Platform" or "Registered App"`,
    );
  }

  let index = startIndex + 3;
  let compensationName: string | null = null;
  const compensationMatch = /^Compensation:\s*(.+)$/.exec(lineAt(lines, index).trim());
  if (compensationMatch?.[1]) {
    compensationName = compensationMatch[1].trim();
    index += 1;
  }

  const descriptionLine = lineAt(lines, index).trim();
  if (!descriptionLine.startsWith('Description:')) {
    throw new Error(`${where}: expected "Description: …" on line ${index + 1}, found "${descriptionLine}"`);
  }
  const descriptionText = descriptionLine.slice('Description:'.length).trim();
  index += 1;

  if (descriptionText.endsWith(OPERATIONS_MARKER)) {
    const firstOperation = index;
    while (index < lines.length && lineAt(lines, index).trim().startsWith('- ')) index += 1;
    if (index === firstOperation) throw new Error(`${where}: "${OPERATIONS_MARKER}" is not followed by a "- " list`);
    return { entry: null, nextIndex: index };
  }
  if (!descriptionText.endsWith(PAYLOAD_MARKER)) {
    throw new Error(
      `${where}: the description on line ${index} should end with "${PAYLOAD_MARKER}" or "${OPERATIONS_MARKER}"`,
    );
  }
  const description = descriptionText.slice(0, -PAYLOAD_MARKER.length).trim();

  const section = heading ? SECTIONS_BY_HEADING.get(heading.text) : undefined;
  if (!heading || !section) {
    const found = heading ? `"${heading.text}" (line ${heading.line})` : 'no heading';
    throw new Error(`${where}: sits under ${found}, which is not a known section; add it to SECTIONS_BY_HEADING`);
  }

  index = skipBlankLines(lines, index);
  if (!lineAt(lines, index).trim().startsWith('{')) {
    throw new Error(`${where}: expected the request block ("{") on line ${index + 1}`);
  }
  const requestBlock = readBalancedBlock(lines, index, where);
  const requestSchema = convertTopLevel(requestBlock.value, 'request', `${where}, request`);
  index = skipBlankLines(lines, requestBlock.nextIndex);

  let responseSchema: JsonSchema | null = null;
  if (lineAt(lines, index).trim().startsWith('{')) {
    const responseBlock = readBalancedBlock(lines, index, where);
    responseSchema = convertTopLevel(responseBlock.value, 'response', `${where}, response`);
    index = responseBlock.nextIndex;
  }

  return {
    entry: {
      name,
      line: startIndex + 1,
      section,
      sectionHeading: heading.text,
      category,
      baseIdentifier: `${section.group}:${slugify(name)}`,
      source,
      compensationName,
      description,
      requestSchema,
      responseSchema,
    },
    nextIndex: index,
  };
}

function lineAt(lines: readonly string[], index: number): string {
  return lines[index] ?? '';
}

function skipBlankLines(lines: readonly string[], index: number): number {
  let next = index;
  while (next < lines.length && lineAt(lines, next).trim() === '') next += 1;
  return next;
}

/** Lowercase, words joined by dashes: "AI title and description generator" → "ai-title-and-description-generator". */
function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * `<group>:<slug>`, unless two entries of one group share a name: then all of them get their source as a suffix
 * (the seed's own example is `tickets:create-ticket-platform`). Same name and same source in one group is a
 * duplicated entry and throws.
 */
function assignUniqueIdentifiers(entries: readonly CatalogEntry[]): string[] {
  const countByBase = new Map<string, number>();
  for (const entry of entries) countByBase.set(entry.baseIdentifier, (countByBase.get(entry.baseIdentifier) ?? 0) + 1);

  const firstLineByIdentifier = new Map<string, number>();
  return entries.map((entry) => {
    const collides = (countByBase.get(entry.baseIdentifier) ?? 0) > 1;
    const identifier = collides ? `${entry.baseIdentifier}-${slugify(entry.source)}` : entry.baseIdentifier;
    const earlierLine = firstLineByIdentifier.get(identifier);
    if (earlierLine !== undefined) {
      throw new Error(
        `activity catalog line ${entry.line} ("${entry.name}"): duplicates the entry on line ${earlierLine} ` +
          '(same section, name and source)',
      );
    }
    firstLineByIdentifier.set(identifier, entry.line);
    return identifier;
  });
}

function toActivitySeed(
  entry: CatalogEntry,
  uniqueIdentifier: string,
  allEntries: readonly CatalogEntry[],
  allIdentifiers: readonly string[],
): ActivitySeed {
  const where = `activity catalog line ${entry.line} ("${entry.name}")`;
  return {
    uniqueIdentifier,
    version: 1,
    name: entry.name,
    description: entry.description,
    source: entry.source,
    partnerKey: entry.section.partnerKey,
    requiredCapability: capabilityFor(entry, where),
    requestSchema: entry.requestSchema,
    responseSchema: entry.responseSchema,
    throttler: throttlerFor(entry, where),
    compensatingActivity:
      entry.compensationName === null ? null : resolveCompensation(entry, allEntries, allIdentifiers, where),
    metadata: {
      ...(entry.category !== null ? { category: entry.category } : {}),
      section: entry.sectionHeading,
      ...(entry.compensationName !== null ? { compensation: entry.compensationName } : {}),
    },
  };
}

function capabilityFor(entry: CatalogEntry, where: string): string | null {
  if (entry.section.partnerKey === null) return null;
  const capability =
    CAPABILITY_BY_ACTIVITY.get(entry.baseIdentifier) ?? CAPABILITY_BY_ACTIVITY.get(`${entry.section.group}:*`);
  if (!capability) {
    throw new Error(
      `${where}: no capability is mapped for partner activity ${entry.baseIdentifier}; ` +
        'add it to CAPABILITY_BY_ACTIVITY',
    );
  }
  return capability;
}

function throttlerFor(entry: CatalogEntry, where: string): ActivityThrottler {
  const applicable = new Set([entry.baseIdentifier, `${entry.section.group}:*`, '*']);
  const rule = ACTIVITY_THROTTLER_DEFAULTS.find(({ appliesTo }) => applicable.has(appliesTo));
  if (!rule) throw new Error(`${where}: no throttler default applies`);
  const { key } = rule.throttler;
  if (key.startsWith('payload:')) {
    const field = key.slice('payload:'.length);
    if (!Object.hasOwn(entry.requestSchema.properties ?? {}, field)) {
      throw new Error(`${where}: throttler key "${key}" names a field the request does not declare`);
    }
  } else if (key !== 'integration') {
    throw new Error(`${where}: throttler key "${key}" is neither "integration" nor "payload:<field>"`);
  }
  // A copy, so callers mutating one activity's throttler do not change the defaults table.
  return { ...rule.throttler };
}

/**
 * The activity of that name when the document has one (same section preferred when the name is used in several);
 * otherwise the identifier it would get in the referencing activity's section, so the link is stable once the
 * compensating activity is documented (the current seed's "Compensate assign ticket" is not).
 */
function resolveCompensation(
  entry: CatalogEntry,
  allEntries: readonly CatalogEntry[],
  allIdentifiers: readonly string[],
  where: string,
): string {
  const wanted = entry.compensationName ?? '';
  const matches = allIdentifiers.filter((_, index) => allEntries[index]?.name.toLowerCase() === wanted.toLowerCase());
  const sameSection = matches.filter((identifier) => identifier.startsWith(`${entry.section.group}:`));
  const candidates = sameSection.length > 0 ? sameSection : matches;
  if (candidates.length > 1) {
    throw new Error(`${where}: compensation "${wanted}" is ambiguous (${candidates.join(', ')})`);
  }
  return candidates[0] ?? `${entry.section.group}:${slugify(wanted)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Seed field notation → JSON Schema
// ---------------------------------------------------------------------------------------------------------

type SchemaDirection = 'request' | 'response';
type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
type EnumValue = string | number | boolean;

/** The JSON Schema subset the converter emits; a type alias, not an interface, so it fits `Record<string, unknown>`. */
type JsonSchema = {
  type: FieldType;
  description?: string;
  enum?: EnumValue[];
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: false;
};

const FIELD_TYPES: readonly FieldType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array'];

function isFieldType(value: JsonValue | undefined): value is FieldType {
  return FIELD_TYPES.some((fieldType) => fieldType === value);
}
const FIELD_SPEC_KEYS: ReadonlySet<string> = new Set([
  'type',
  'description',
  'required',
  'optional',
  'items',
  'properties',
  'enum',
  'minimum',
  'maximum',
]);

/** Whether the seed marks a field required, optional, or says nothing (which means optional). */
type Requirement = 'required' | 'optional' | 'unspecified';

function convertTopLevel(block: JsonValue, direction: SchemaDirection, where: string): JsonSchema {
  if (!isJsonObject(block)) throw new Error(`${where}: the block must be an object of fields`);
  const { properties, required } = convertFieldMap(block, direction, where);
  // Requests are closed so a misspelt field fails validation; responses stay open because partners add fields.
  return direction === 'request'
    ? { type: 'object', properties, required, additionalProperties: false }
    : { type: 'object', properties, required };
}

function convertFieldMap(
  fieldMap: JsonObject,
  direction: SchemaDirection,
  where: string,
): { properties: Record<string, JsonSchema>; required: string[]; requirements: Map<string, Requirement> } {
  const properties: Record<string, JsonSchema> = {};
  const requirements = new Map<string, Requirement>();
  for (const [fieldName, { value, line }] of uniqueEntries(fieldMap, where)) {
    const fieldWhere = `${where}, field "${fieldName}" (line ${line})`;
    if (fieldName === '') throw new Error(`${fieldWhere}: empty field name`);
    if (!isJsonObject(value)) throw new Error(`${fieldWhere}: a field spec must be an object`);
    const converted = convertFieldSpec(value, direction, fieldWhere, 'property');
    properties[fieldName] = converted.schema;
    requirements.set(fieldName, converted.requirement);
  }
  const required = [...requirements].filter(([, requirement]) => requirement === 'required').map(([name]) => name);
  return { properties, required, requirements };
}

function convertFieldSpec(
  spec: JsonObject,
  direction: SchemaDirection,
  where: string,
  role: 'property' | 'items',
): { schema: JsonSchema; requirement: Requirement } {
  const keys = uniqueEntries(spec, where);
  for (const [key, { line }] of keys) {
    if (!FIELD_SPEC_KEYS.has(key)) throw new Error(`${where}: unknown key "${key}" on line ${line}`);
  }
  const valueOf = (key: string): JsonValue | undefined => keys.get(key)?.value;

  const type = valueOf('type');
  if (!isFieldType(type)) {
    throw new Error(`${where}: "type" must be one of ${FIELD_TYPES.join(', ')}, found ${describeValue(type)}`);
  }
  const fieldType = type;
  const schema: JsonSchema = { type: fieldType };

  const description = valueOf('description');
  if (description !== undefined) {
    if (typeof description !== 'string') throw new Error(`${where}: "description" must be a string`);
    schema.description = description;
  }

  const enumValues = valueOf('enum');
  if (enumValues !== undefined) schema.enum = convertEnum(enumValues, fieldType, where);

  for (const bound of ['minimum', 'maximum'] as const) {
    const value = valueOf(bound);
    if (value === undefined) continue;
    if (fieldType !== 'number' && fieldType !== 'integer') {
      throw new Error(`${where}: "${bound}" on a ${fieldType} field`);
    }
    if (typeof value !== 'number') throw new Error(`${where}: "${bound}" must be a number`);
    schema[bound] = value;
  }
  if (schema.minimum !== undefined && schema.maximum !== undefined && schema.minimum > schema.maximum) {
    throw new Error(`${where}: "minimum" is greater than "maximum"`);
  }

  const items = valueOf('items');
  if (items !== undefined) {
    if (fieldType !== 'array') throw new Error(`${where}: "items" on a ${fieldType} field`);
    if (!isJsonObject(items)) throw new Error(`${where}: "items" must be a field spec object`);
    schema.items = convertFieldSpec(items, direction, `${where}, items`, 'items').schema;
  }

  const { flag, childrenRequired } = readRequiredKeywords(valueOf('required'), valueOf('optional'), where);
  if (role === 'items' && flag !== 'unspecified') {
    throw new Error(`${where}: an array's items cannot be marked required or optional`);
  }

  const properties = valueOf('properties');
  if (properties !== undefined) {
    if (fieldType !== 'object') throw new Error(`${where}: "properties" on a ${fieldType} field`);
    if (!isJsonObject(properties)) throw new Error(`${where}: "properties" must be an object of fields`);
    const nested = convertFieldMap(properties, direction, `${where}, properties`);
    schema.properties = nested.properties;
    const required = liftChildrenRequired(nested.requirements, childrenRequired, where);
    if (required.length > 0) schema.required = required;
    // Same reasoning as the top level: declared request objects are closed, responses open.
    if (direction === 'request') schema.additionalProperties = false;
  } else if (childrenRequired.length > 0) {
    throw new Error(`${where}: "required" lists fields but the field declares no "properties"`);
  }

  return { schema, requirement: flag };
}

/**
 * The seed uses `"required"` two ways: a boolean saying whether this field is required in its parent, and (like
 * JSON Schema, in "Get accounts") an array naming which of this object's properties are required. `"optional"`
 * is the boolean's inverse; when both are given they must agree.
 */
function readRequiredKeywords(
  required: JsonValue | undefined,
  optional: JsonValue | undefined,
  where: string,
): { flag: Requirement; childrenRequired: string[] } {
  if (optional !== undefined && typeof optional !== 'boolean') {
    throw new Error(`${where}: "optional" must be true or false`);
  }
  let childrenRequired: string[] = [];
  let requiredFlag: boolean | undefined;
  if (Array.isArray(required)) {
    childrenRequired = required.map((name) => {
      if (typeof name !== 'string') throw new Error(`${where}: "required" lists a non-string ${describeValue(name)}`);
      return name;
    });
  } else if (typeof required === 'boolean') {
    requiredFlag = required;
  } else if (required !== undefined) {
    throw new Error(`${where}: "required" must be true, false or a list of field names`);
  }

  if (requiredFlag !== undefined && optional !== undefined && requiredFlag === optional) {
    throw new Error(`${where}: contradictory "required": ${String(requiredFlag)} and "optional": ${String(optional)}`);
  }
  const isRequired = requiredFlag ?? (optional === undefined ? undefined : !optional);
  const flag: Requirement = isRequired === undefined ? 'unspecified' : isRequired ? 'required' : 'optional';
  return { flag, childrenRequired };
}

/** Children's own flags plus the parent's `required` list, in property order; a child cannot be in both camps. */
function liftChildrenRequired(
  requirements: ReadonlyMap<string, Requirement>,
  listedByParent: readonly string[],
  where: string,
): string[] {
  for (const name of listedByParent) {
    const requirement = requirements.get(name);
    if (requirement === undefined) throw new Error(`${where}: "required" lists "${name}", which is not a property`);
    if (requirement === 'optional') throw new Error(`${where}: "${name}" is listed as required but marked optional`);
  }
  return [...requirements]
    .filter(([name, requirement]) => requirement === 'required' || listedByParent.includes(name))
    .map(([name]) => name);
}

function convertEnum(value: JsonValue, fieldType: FieldType, where: string): EnumValue[] {
  if (!Array.isArray(value) || value.length === 0) throw new Error(`${where}: "enum" must be a non-empty list`);
  return value.map((member) => {
    const fits =
      (fieldType === 'string' && typeof member === 'string') ||
      (fieldType === 'number' && typeof member === 'number') ||
      (fieldType === 'integer' && Number.isInteger(member)) ||
      (fieldType === 'boolean' && typeof member === 'boolean');
    if (!fits || (typeof member !== 'string' && typeof member !== 'number' && typeof member !== 'boolean')) {
      throw new Error(`${where}: enum value ${describeValue(member)} does not fit type ${fieldType}`);
    }
    return member;
  });
}

/**
 * An object's entries by key. A key given twice with the same value is harmless and kept once. A key given
 * twice with different values (say `"required": true` then `"required": false`) is a contradiction in the docs:
 * JSON.parse would silently keep the last, which flips validation either way, so it throws for a person to
 * decide. (The current seed has no duplicates.)
 */
function uniqueEntries(object: JsonObject, where: string): Map<string, JsonEntry> {
  const byKey = new Map<string, JsonEntry>();
  for (const entry of object.entries) {
    const earlier = byKey.get(entry.key);
    if (!earlier) {
      byKey.set(entry.key, entry);
    } else if (canonicalText(earlier.value) !== canonicalText(entry.value)) {
      throw new Error(
        `${where}: "${entry.key}" is given twice with different values ` +
          `(line ${earlier.line}: ${canonicalText(earlier.value)}, line ${entry.line}: ${canonicalText(entry.value)})`,
      );
    }
  }
  return byKey;
}

function describeValue(value: JsonValue | undefined): string {
  return value === undefined ? 'nothing' : canonicalText(value);
}

// ---------------------------------------------------------------------------------------------------------
// The JSON blocks. A small reader of our own instead of JSON.parse: it keeps duplicate keys (JSON.parse drops
// all but the last) and line numbers for the messages above.
// ---------------------------------------------------------------------------------------------------------

type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

interface JsonEntry {
  key: string;
  value: JsonValue;
  /** 1-based document line of the key. */
  line: number;
}

interface JsonObject {
  kind: 'object';
  entries: JsonEntry[];
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function canonicalText(value: JsonValue): string {
  if (isJsonObject(value)) {
    return `{${value.entries.map((entry) => `${JSON.stringify(entry.key)}:${canonicalText(entry.value)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`;
  return JSON.stringify(value);
}

/**
 * Reads the value starting on `startIndex` up to the line where its braces balance. Blocks follow each other
 * with no separator, so that line must end with the closing brace.
 */
function readBalancedBlock(
  lines: readonly string[],
  startIndex: number,
  where: string,
): { value: JsonValue; nextIndex: number } {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let index = startIndex; index < lines.length; index += 1) {
    const line = lineAt(lines, index);
    for (let column = 0; column < line.length; column += 1) {
      const char = line[column];
      if (inString) {
        if (escaped) escaped = false;
        else if (char === '\\') escaped = true;
        else if (char === '"') inString = false;
      } else if (char === '"') {
        inString = true;
      } else if (char === '{' || char === '[') {
        depth += 1;
      } else if (char === '}' || char === ']') {
        depth -= 1;
        if (depth === 0) {
          if (line.slice(column + 1).trim() !== '') {
            throw new Error(`${where}: unexpected text after the block closing on line ${index + 1}`);
          }
          const blockText = lines.slice(startIndex, index + 1).join('\n');
          return { value: new BlockReader(blockText, startIndex + 1, where).readDocument(), nextIndex: index + 1 };
        }
      }
    }
    // A string never spans lines in this notation; an unclosed quote would swallow the rest of the document.
    if (inString) throw new Error(`${where}: unterminated string on line ${index + 1}`);
  }
  throw new Error(`${where}: the block starting on line ${startIndex + 1} is never closed`);
}

/** Strict JSON reader that keeps duplicate keys and line numbers. */
class BlockReader {
  private offset = 0;
  private countedUpTo = 0;
  private newlinesCounted = 0;

  constructor(
    private readonly text: string,
    private readonly firstLine: number,
    private readonly where: string,
  ) {}

  readDocument(): JsonValue {
    const value = this.readValue();
    this.skipWhitespace();
    if (this.offset < this.text.length) this.fail('unexpected text after the value');
    return value;
  }

  private readValue(): JsonValue {
    this.skipWhitespace();
    const char = this.text[this.offset];
    if (char === '{') return this.readObject();
    if (char === '[') return this.readArray();
    if (char === '"') return this.readString();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.readNumber();
    for (const [literal, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(literal, this.offset)) {
        this.offset += literal.length;
        return value;
      }
    }
    return this.fail(char === undefined ? 'unexpected end of block' : `unexpected "${char}"`);
  }

  private readObject(): JsonObject {
    this.offset += 1;
    const entries: JsonEntry[] = [];
    this.skipWhitespace();
    if (this.text[this.offset] === '}') {
      this.offset += 1;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.offset] !== '"') this.fail('expected a quoted key');
      const line = this.currentLine();
      const key = this.readString();
      this.skipWhitespace();
      this.expect(':');
      entries.push({ key, value: this.readValue(), line });
      this.skipWhitespace();
      if (this.text[this.offset] === ',') {
        this.offset += 1;
        continue;
      }
      this.expect('}');
      return { kind: 'object', entries };
    }
  }

  private readArray(): JsonValue[] {
    this.offset += 1;
    const values: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.offset] === ']') {
      this.offset += 1;
      return values;
    }
    for (;;) {
      values.push(this.readValue());
      this.skipWhitespace();
      if (this.text[this.offset] === ',') {
        this.offset += 1;
        continue;
      }
      this.expect(']');
      return values;
    }
  }

  private readString(): string {
    const match = /"(?:[^"\\\n]|\\.)*"/y;
    match.lastIndex = this.offset;
    const found = match.exec(this.text);
    if (!found) return this.fail('unterminated string');
    // JSON.parse checks and decodes the escapes (and rejects raw control characters).
    let decoded: unknown;
    try {
      decoded = JSON.parse(found[0]);
    } catch {
      return this.fail('malformed string');
    }
    this.offset += found[0].length;
    return String(decoded);
  }

  private readNumber(): number {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.offset;
    const found = match.exec(this.text);
    if (!found) return this.fail('malformed number');
    this.offset += found[0].length;
    return Number(found[0]);
  }

  private expect(char: string): void {
    if (this.text[this.offset] !== char) this.fail(`expected "${char}"`);
    this.offset += 1;
  }

  private skipWhitespace(): void {
    while (this.offset < this.text.length && /\s/.test(this.text[this.offset] ?? '')) this.offset += 1;
  }

  /** Line of the current offset; counted incrementally since the reader only moves forward. */
  private currentLine(): number {
    for (; this.countedUpTo < this.offset; this.countedUpTo += 1) {
      if (this.text[this.countedUpTo] === '\n') this.newlinesCounted += 1;
    }
    return this.firstLine + this.newlinesCounted;
  }

  private fail(message: string): never {
    throw new Error(`${this.where}: ${message} on line ${this.currentLine()}`);
  }
}
