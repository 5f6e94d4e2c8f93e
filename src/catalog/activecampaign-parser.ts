import type { DataFieldReference, DataFieldSeed, DataFieldType, DataObjectSeed, ReplicationMode } from './types';

/*
 * Parser for `seeds/activecampaign-connector-catalog.txt`, a text copy of Kondado's Portuguese page for the
 * ActiveCampaign connector. How the document is read (checked against every one of its 33 "Campo Tipo" headers):
 *
 * - Everything before the first object (setup instructions, "Índice", "Gráfico de relacionamento") is ignored.
 * - An object is its name line, optionally followed by paragraphs, then the "Campo Tipo" table header, then its
 *   fields. The name is therefore the first line above the header that is not one of the known paragraphs.
 * - A field is its name line, its type word, optionally an `[en] …` description (a bare `[en]` means none), and
 *   optionally an indented reference `Object > via > field` (via usually empty: `Users > > id`).
 * - Paragraphs sit in two places: between an object's name and its header (the replication choice before
 *   "Contacts", "Deals", …; "Objeto principal"), and after an object's last field, before the next name
 *   ("Esta integração é gratuita"; the replication choice that ends the file). A paragraph after a field list
 *   belongs to the object above it, not to the next one: the page never puts an object's own paragraphs above
 *   its name (the leading ones always follow it), the last paragraph of the file can only belong to "Contacts:
 *   tags", and this reading makes all three "custom fields (meta)" objects free, consistently.
 * - "Objeto principal" marks the main object of an integration with nested tables; the following objects with
 *   technical names (`deals_pipelines_all__dealStages`, `users__userGroups`, …) are its sub-objects, until the
 *   next object with a display name. A paragraph ("esta integração…") speaks of the integration as a whole, so
 *   a group's paragraphs — e.g. "gratuita" after the last sub-object of "Tasks: types" — apply to the main
 *   object and to all its sub-objects.
 * - The replication paragraph after "Contacts: tags" adds a sentence specific to that object ("Os dados serão
 *   atualizados de acordo com a data de atualização dos contatos"); it becomes that object's description, the
 *   only object-level text the seed gives.
 *
 * Anything that does not fit (unknown type word, stray line, reference to an object or field that does not exist)
 * throws, so a change of the catalog's format fails loudly instead of silently dropping data.
 */

const TABLE_HEADER = 'Campo Tipo';
const FREE_PARAGRAPH = 'Esta integração é gratuita';
const MAIN_OBJECT_PARAGRAPH = 'Objeto principal';
const REPLICATION_CHOICE_PREFIX = 'Nesta integração, você pode escolher o tipo de replicação de dados';
const REPLICATION_CHOICE_PARAGRAPH =
  'Nesta integração, você pode escolher o tipo de replicação de dados. Caso não remova dados da sua conta, ' +
  'selecione “incremental”. Utilize “integral” caso delete registros e queira que essas remoções sejam ' +
  'replicadas para o seu destino';
const ENGLISH_DESCRIPTION_PREFIX = '[en]';

/** The seed's type words; anything else is rejected rather than guessed. */
const FIELD_TYPE_BY_WORD: ReadonlyMap<string, DataFieldType> = new Map<string, DataFieldType>([
  ['float', 'FLOAT'],
  ['text', 'TEXT'],
  ['timestamp', 'TIMESTAMP'],
  ['date', 'DATE'],
  ['boolean', 'BOOLEAN'],
]);

const FIELD_NAME_PATTERN = /^[A-Za-z0-9_]+$/;
/** Sub-objects keep the connector's technical table names: `<main table>__<nested collection>`. */
const NESTED_OBJECT_NAME_PATTERN = /^[A-Za-z0-9_]+__([A-Za-z0-9]+)$/;

interface SourceLine {
  text: string;
  lineNumber: number;
}

type Paragraph =
  | { kind: 'free' }
  | { kind: 'mainObject' }
  | { kind: 'replicationChoice'; objectSpecificNote: string | null };

interface RawReference {
  objectName: string;
  via: string | null;
  fieldName: string;
  line: SourceLine;
}

interface RawField {
  name: string;
  type: DataFieldType;
  description: string | null;
  reference: RawReference | null;
}

interface RawObject {
  name: string;
  key: string;
  header: SourceLine;
  paragraphs: Paragraph[];
  isMainObject: boolean;
  fields: RawField[];
}

export function parseActiveCampaignCatalog(text: string): DataObjectSeed[] {
  const lines = nonBlankLines(text);
  const headerIndexes = lines.flatMap((line, index) => (line.text === TABLE_HEADER ? [index] : []));
  if (headerIndexes.length === 0) {
    throw new Error(`ActiveCampaign catalog: no "${TABLE_HEADER}" table header found`);
  }

  const nameIndexes = headerIndexes.map((headerIndex, position) =>
    findObjectNameIndex(lines, headerIndex, headerIndexes[position - 1] ?? -1),
  );
  const rawObjects = headerIndexes.map((headerIndex, position) => {
    const nameIndex = nameIndexes[position] as number;
    const bodyEnd = nameIndexes[position + 1] ?? lines.length;
    return parseObject(lines, nameIndex, headerIndex, bodyEnd);
  });

  const objectsByName = indexObjectsByNameAndKey(rawObjects);
  const parentKeys = assignParents(rawObjects);
  const integrationParagraphs = collectIntegrationParagraphs(rawObjects, parentKeys);

  return rawObjects.map((object): DataObjectSeed => {
    const parentKey = parentKeys.get(object.key) ?? null;
    const paragraphs = integrationParagraphs.get(parentKey ?? object.key) ?? [];
    const offersFullReplication = paragraphs.some((paragraph) => paragraph.kind === 'replicationChoice');
    const replicationModes: ReplicationMode[] = offersFullReplication ? ['INCREMENTAL', 'FULL'] : ['INCREMENTAL'];
    // Only the object's own paragraphs can describe it; the group's are about replication and pricing.
    const notes = object.paragraphs.flatMap((paragraph) =>
      paragraph.kind === 'replicationChoice' && paragraph.objectSpecificNote ? [paragraph.objectSpecificNote] : [],
    );
    return {
      key: object.key,
      name: object.name,
      description: notes.length > 0 ? notes.join(' ') : null,
      replicationModes,
      isFree: paragraphs.some((paragraph) => paragraph.kind === 'free'),
      parentKey,
      fields: object.fields.map(
        (field): DataFieldSeed => ({
          name: field.name,
          type: field.type,
          description: field.description,
          reference: field.reference ? resolveReference(field.reference, objectsByName, parentKeys) : null,
        }),
      ),
    };
  });
}

/** Lowercase, runs of non-alphanumerics as one `_`, no leading/trailing `_`: "Accounts: custom fields (data)" → `accounts_custom_fields_data`. */
function slugObjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function nonBlankLines(text: string): SourceLine[] {
  // trim() also strips the no-break spaces that indent the reference lines.
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ text: line.trim(), lineNumber: index + 1 }))
    .filter((line) => line.text !== '');
}

function classifyParagraph(text: string): Paragraph | null {
  if (text === FREE_PARAGRAPH) return { kind: 'free' };
  if (text === MAIN_OBJECT_PARAGRAPH) return { kind: 'mainObject' };
  if (text.startsWith(REPLICATION_CHOICE_PREFIX)) {
    const remainder = text.startsWith(REPLICATION_CHOICE_PARAGRAPH)
      ? text.slice(REPLICATION_CHOICE_PARAGRAPH.length).replace(/^[.\s]+/, '').trim()
      : '';
    return { kind: 'replicationChoice', objectSpecificNote: remainder === '' ? null : remainder };
  }
  return null;
}

/** The object's name is the nearest line above its header that is not a paragraph. */
function findObjectNameIndex(lines: SourceLine[], headerIndex: number, previousHeaderIndex: number): number {
  let index = headerIndex - 1;
  while (index > previousHeaderIndex && classifyParagraph((lines[index] as SourceLine).text) !== null) index -= 1;
  const header = lines[headerIndex] as SourceLine;
  if (index <= previousHeaderIndex) {
    throw new Error(`ActiveCampaign catalog: no object name before the table header on line ${header.lineNumber}`);
  }
  const name = lines[index] as SourceLine;
  if (FIELD_TYPE_BY_WORD.has(name.text) || name.text.includes('>') || name.text.startsWith(ENGLISH_DESCRIPTION_PREFIX)) {
    throw new Error(
      `ActiveCampaign catalog: line ${name.lineNumber} ("${name.text}") above the table header on line ` +
        `${header.lineNumber} is not an object name`,
    );
  }
  return index;
}

function parseObject(lines: SourceLine[], nameIndex: number, headerIndex: number, bodyEnd: number): RawObject {
  const nameLine = lines[nameIndex] as SourceLine;
  const header = lines[headerIndex] as SourceLine;
  const leadingParagraphs = lines
    .slice(nameIndex + 1, headerIndex)
    .map((line) => classifyParagraph(line.text) as Paragraph);
  const trailingParagraphs: Paragraph[] = [];
  const fields: RawField[] = [];
  const where = (line: SourceLine): string => `line ${line.lineNumber} (object "${nameLine.text}")`;

  let index = headerIndex + 1;
  while (index < bodyEnd) {
    const line = lines[index] as SourceLine;
    const paragraph = classifyParagraph(line.text);
    if (paragraph) {
      trailingParagraphs.push(paragraph);
      index += 1;
      continue;
    }
    if (trailingParagraphs.length > 0) {
      throw new Error(`ActiveCampaign catalog: unexpected "${line.text}" after the paragraphs closing the field list, ${where(line)}`);
    }
    if (!FIELD_NAME_PATTERN.test(line.text)) {
      throw new Error(`ActiveCampaign catalog: expected a field name, found "${line.text}" at ${where(line)}`);
    }
    const fieldName = line.text;
    const typeLine = index + 1 < bodyEnd ? lines[index + 1] : undefined;
    if (!typeLine) {
      throw new Error(`ActiveCampaign catalog: field "${fieldName}" has no type, ${where(line)}`);
    }
    const type = FIELD_TYPE_BY_WORD.get(typeLine.text);
    if (!type) {
      throw new Error(`ActiveCampaign catalog: unknown type word "${typeLine.text}" for field "${fieldName}" at ${where(typeLine)}`);
    }
    index += 2;

    let description: string | null = null;
    const descriptionLine = index < bodyEnd ? lines[index] : undefined;
    if (descriptionLine?.text.startsWith(ENGLISH_DESCRIPTION_PREFIX)) {
      // A bare "[en]" occurs (User groups' pgpersonalizationedit): no description.
      description = descriptionLine.text.slice(ENGLISH_DESCRIPTION_PREFIX.length).trim() || null;
      index += 1;
    }

    let reference: RawReference | null = null;
    const referenceLine = index < bodyEnd ? lines[index] : undefined;
    if (referenceLine?.text.includes('>')) {
      reference = parseReference(referenceLine, where(referenceLine));
      index += 1;
    }

    if (fields.some((field) => field.name === fieldName)) {
      throw new Error(`ActiveCampaign catalog: duplicate field "${fieldName}" at ${where(line)}`);
    }
    fields.push({ name: fieldName, type, description, reference });
  }

  const paragraphs = [...leadingParagraphs, ...trailingParagraphs];
  return {
    name: nameLine.text,
    key: slugObjectName(nameLine.text),
    header,
    paragraphs,
    isMainObject: paragraphs.some((paragraph) => paragraph.kind === 'mainObject'),
    fields,
  };
}

/** `Users > > id` or `Pipelines > dealStages > dealstages_id`: object name, optional nested collection, field. */
function parseReference(line: SourceLine, where: string): RawReference {
  const parts = line.text.split('>').map((part) => part.trim());
  const [objectName, via, fieldName] = parts;
  if (parts.length !== 3 || !objectName || via === undefined || !fieldName) {
    throw new Error(`ActiveCampaign catalog: malformed reference "${line.text}" at ${where}, expected "Object > [via] > field"`);
  }
  return { objectName, via: via === '' ? null : via, fieldName, line };
}

function indexObjectsByNameAndKey(objects: RawObject[]): ReadonlyMap<string, RawObject> {
  const byName = new Map<string, RawObject>();
  const byKey = new Map<string, RawObject>();
  for (const object of objects) {
    const clash = byName.get(object.name) ?? byKey.get(object.key);
    if (clash) {
      throw new Error(
        `ActiveCampaign catalog: object "${object.name}" (header on line ${object.header.lineNumber}) has the same ` +
          `name or key "${object.key}" as "${clash.name}" (header on line ${clash.header.lineNumber})`,
      );
    }
    byName.set(object.name, object);
    byKey.set(object.key, object);
  }
  return byName;
}

/** Sub-objects (technical names) hang off the latest "Objeto principal" above them, until a display-named object ends the group. */
function assignParents(objects: RawObject[]): ReadonlyMap<string, string> {
  const parentKeys = new Map<string, string>();
  let currentMainObject: RawObject | null = null;
  for (const object of objects) {
    if (object.isMainObject) {
      currentMainObject = object;
    } else if (NESTED_OBJECT_NAME_PATTERN.test(object.name)) {
      if (!currentMainObject) {
        throw new Error(
          `ActiveCampaign catalog: nested object "${object.name}" (header on line ${object.header.lineNumber}) ` +
            `does not follow an "${MAIN_OBJECT_PARAGRAPH}"`,
        );
      }
      parentKeys.set(object.key, currentMainObject.key);
    } else {
      currentMainObject = null;
    }
  }
  return parentKeys;
}

/** Paragraphs per integration (a standalone object, or a main object with its sub-objects), keyed by the top object's key. */
function collectIntegrationParagraphs(
  objects: RawObject[],
  parentKeys: ReadonlyMap<string, string>,
): ReadonlyMap<string, Paragraph[]> {
  const paragraphsByIntegration = new Map<string, Paragraph[]>();
  for (const object of objects) {
    const integrationKey = parentKeys.get(object.key) ?? object.key;
    const collected = paragraphsByIntegration.get(integrationKey) ?? [];
    collected.push(...object.paragraphs);
    paragraphsByIntegration.set(integrationKey, collected);
  }
  return paragraphsByIntegration;
}

/*
 * Every name the seed references ("Users", "Pipelines", "Accounts: custom fields (meta)", …) is the display name of
 * an object of the document; "Pipelines" is the main object of the pipelines group. A middle segment names a nested
 * collection of that object: `Pipelines > dealStages > dealstages_id` points at the sub-object of "Pipelines" whose
 * technical name ends in `__dealStages` (`deals_pipelines_all__dealStages`), where `dealstages_id` lives — "Pipelines"
 * itself has no such field. The segment is kept in `via`.
 */
function resolveReference(
  reference: RawReference,
  objectsByName: ReadonlyMap<string, RawObject>,
  parentKeys: ReadonlyMap<string, string>,
): DataFieldReference {
  const describe = `reference "${reference.line.text}" on line ${reference.line.lineNumber}`;
  const namedObject = objectsByName.get(reference.objectName);
  if (!namedObject) {
    throw new Error(`ActiveCampaign catalog: ${describe} names object "${reference.objectName}", which the catalog does not define`);
  }

  let target = namedObject;
  if (reference.via !== null) {
    const via = reference.via;
    const nested = [...objectsByName.values()].find(
      (candidate) =>
        parentKeys.get(candidate.key) === namedObject.key && NESTED_OBJECT_NAME_PATTERN.exec(candidate.name)?.[1] === via,
    );
    if (!nested) {
      throw new Error(`ActiveCampaign catalog: ${describe}: "${namedObject.name}" has no nested object "${via}"`);
    }
    target = nested;
  }

  if (!target.fields.some((field) => field.name === reference.fieldName)) {
    throw new Error(`ActiveCampaign catalog: ${describe}: object "${target.name}" has no field "${reference.fieldName}"`);
  }
  return { objectKey: target.key, fieldName: reference.fieldName, via: reference.via };
}
