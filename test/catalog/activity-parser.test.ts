import { readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { ACTIVITY_THROTTLER_DEFAULTS, parseActivityCatalog } from '../../src/catalog/activity-parser';
import type { ActivitySeed } from '../../src/catalog/types';

const seedText = readFileSync(path.join(__dirname, '../../src/catalog/seeds/activity-catalog.txt'), 'utf8');
const activities = parseActivityCatalog(seedText);

function activity(uniqueIdentifier: string): ActivitySeed {
  const found = activities.find((candidate) => candidate.uniqueIdentifier === uniqueIdentifier);
  if (!found) throw new Error(`no activity ${uniqueIdentifier}`);
  return found;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

const ajv = newAjv();
const requestValidator = (uniqueIdentifier: string): ValidateFunction =>
  ajv.compile(activity(uniqueIdentifier).requestSchema);
const responseValidator = (uniqueIdentifier: string): ValidateFunction => {
  const schema = activity(uniqueIdentifier).responseSchema;
  if (!schema) throw new Error(`${uniqueIdentifier} has no response schema`);
  return ajv.compile(schema);
};

/** Replaces exactly one occurrence, so a corruption test cannot silently corrupt nothing. */
function replaceOnce(text: string, search: string, replacement: string): string {
  const first = text.indexOf(search);
  if (first < 0 || text.indexOf(search, first + 1) >= 0) throw new Error(`"${search}" must occur exactly once`);
  return text.slice(0, first) + replacement + text.slice(first + search.length);
}

describe('parseActivityCatalog on the seed', () => {
  it('returns every entry with a payload, skipping the "Available operations" overviews', () => {
    const sourceLines = seedText.split('\n').filter((line) => line.startsWith('Source: ')).length;
    const overviews = seedText.split('\n').filter((line) => line.endsWith('Available operations:')).length;
    expect(sourceLines).toBe(57);
    expect(overviews).toBe(2);
    expect(activities).toHaveLength(sourceLines - overviews);
    expect(activities).toHaveLength(55);
    expect(activities.map((seed) => seed.name)).not.toContain('Account relationships');
  });

  it('groups activities by section', () => {
    const countByGroup: Record<string, number> = {};
    for (const seed of activities) {
      const group = seed.uniqueIdentifier.split(':')[0] ?? '';
      countByGroup[group] = (countByGroup[group] ?? 0) + 1;
    }
    expect(countByGroup).toEqual({
      tickets: 6,
      comments: 8,
      accounts: 17,
      contacts: 5,
      utility: 4,
      slack: 9,
      jira: 2,
      ai: 4,
    });
  });

  it('gives unique identifiers, keeping same-named activities of different sections apart', () => {
    const identifiers = activities.map((seed) => seed.uniqueIdentifier);
    expect(new Set(identifiers).size).toBe(identifiers.length);
    for (const identifier of identifiers) expect(identifier).toMatch(/^[a-z]+:[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(identifiers).toEqual(expect.arrayContaining(['comments:add-reaction', 'slack:add-reaction']));
    expect(identifiers[0]).toBe('tickets:create-ticket');
  });

  it('keeps document order, version 1, and the descriptions without the "Request payload:" marker', () => {
    const firstNames = activities.slice(0, 3).map((seed) => seed.name);
    expect(firstNames).toEqual(['Create ticket', 'Update ticket', 'Assign ticket']);
    expect(activities.every((seed) => seed.version === 1)).toBe(true);
    expect(activity('tickets:create-ticket').description).toBe('Creates a new ticket');
    expect(activities.some((seed) => seed.description.includes('Request payload'))).toBe(false);
  });

  it('maps sources, partners and capabilities', () => {
    const slack = activities.filter((seed) => seed.partnerKey === 'slack');
    const jira = activities.filter((seed) => seed.partnerKey === 'jira');
    expect(slack).toHaveLength(9);
    expect(jira).toHaveLength(2);
    expect(Object.fromEntries(slack.map((seed) => [seed.uniqueIdentifier, seed.requiredCapability]))).toEqual({
      'slack:post-message': 'MESSAGING',
      'slack:edit-message': 'MESSAGING',
      'slack:delete-message': 'MESSAGING',
      'slack:add-reaction': 'MESSAGING',
      'slack:remove-reaction': 'MESSAGING',
      'slack:join-channel': 'CHANNEL_MANAGEMENT',
      'slack:leave-channel': 'CHANNEL_MANAGEMENT',
      'slack:add-member': 'CHANNEL_MANAGEMENT',
      'slack:remove-member': 'CHANNEL_MANAGEMENT',
    });
    expect(jira.every((seed) => seed.requiredCapability === 'ISSUE_TRACKING')).toBe(true);
    expect([...slack, ...jira].every((seed) => seed.source === 'REGISTERED_APP')).toBe(true);

    const platform = activities.filter((seed) => seed.source === 'PLATFORM');
    expect(platform).toHaveLength(40);
    expect(platform.every((seed) => seed.partnerKey === null && seed.requiredCapability === null)).toBe(true);
    expect(activity('ai:ai-ticket-summary')).toMatchObject({
      source: 'REGISTERED_APP',
      partnerKey: null,
      requiredCapability: null,
    });
  });

  it('assigns throttler defaults from the table', () => {
    const perIntegration = (limit: number) => ({ enabled: true, limit, windowSeconds: 60, key: 'integration' });
    expect(activity('slack:post-message').throttler).toEqual({
      enabled: true,
      limit: 1,
      windowSeconds: 1,
      key: 'payload:channel',
    });
    expect(activity('slack:join-channel').throttler).toEqual(perIntegration(20));
    expect(activity('jira:create-issue').throttler).toEqual(perIntegration(10));
    expect(activity('ai:ai-ticket-summary').throttler).toEqual(perIntegration(5));
    expect(activity('tickets:create-ticket').throttler).toEqual(perIntegration(100));
    // Each activity gets its own copy of the table's throttler.
    expect(activity('slack:edit-message').throttler).not.toBe(activity('slack:delete-message').throttler);
    expect(ACTIVITY_THROTTLER_DEFAULTS.at(-1)?.appliesTo).toBe('*');
  });

  it('links the compensating activity, deriving the identifier when the seed does not document it', () => {
    // "Compensate assign ticket" has no entry of its own in the seed.
    expect(seedText).not.toMatch(/^Compensate assign ticket$/m);
    expect(activity('tickets:assign-ticket').compensatingActivity).toBe('tickets:compensate-assign-ticket');
    expect(activities.filter((seed) => seed.compensatingActivity !== null)).toHaveLength(1);
  });

  it('resolves the compensation to the documented activity when there is one', () => {
    const compensationEntry = [
      'Ticket management',
      'Compensate assign ticket',
      'Compensate assign ticket',
      'Source: Platform',
      'Description: Reverts an assignmentRequest payload:',
      '{',
      '"ticketId": {',
      '"type": "string",',
      '"required": true',
      '}',
      '}',
    ].join('\n');
    const withCompensation = parseActivityCatalog(`${seedText}\n${compensationEntry}\n`);
    expect(withCompensation).toHaveLength(56);
    expect(withCompensation.find((seed) => seed.name === 'Assign ticket')?.compensatingActivity).toBe(
      'tickets:compensate-assign-ticket',
    );
    expect(withCompensation.at(-1)?.uniqueIdentifier).toBe('tickets:compensate-assign-ticket');
  });
});

describe('request and response schemas', () => {
  it('compile under Ajv strict mode, with no "required" keyword inside a property schema', () => {
    const strictAjv = newAjv();
    const misplacedRequired: string[] = [];
    const findMisplacedRequired = (schema: unknown, where: string): void => {
      if (typeof schema !== 'object' || schema === null) return;
      const node = schema as Record<string, unknown>;
      if ('required' in node && !Array.isArray(node.required)) misplacedRequired.push(where);
      if ('optional' in node) misplacedRequired.push(`${where} (optional)`);
      const properties = (node.properties ?? {}) as Record<string, unknown>;
      for (const [name, child] of Object.entries(properties)) findMisplacedRequired(child, `${where}.${name}`);
      findMisplacedRequired(node.items, `${where}[]`);
    };

    let compiled = 0;
    for (const seed of activities) {
      for (const [kind, schema] of [['request', seed.requestSchema], ['response', seed.responseSchema]] as const) {
        if (schema === null) continue;
        expect(() => strictAjv.compile(schema)).not.toThrow();
        findMisplacedRequired(schema, `${seed.uniqueIdentifier} ${kind}`);
        compiled += 1;
      }
    }
    expect(misplacedRequired).toEqual([]);
    // Five delete activities document no response.
    expect(activities.filter((seed) => seed.responseSchema === null).map((seed) => seed.uniqueIdentifier)).toEqual([
      'accounts:delete-account',
      'accounts:delete-account-note',
      'accounts:delete-account-task',
      'accounts:delete-account-relationship',
      'contacts:delete-customer-contact',
    ]);
    expect(compiled).toBe(55 + 50);
  });

  it('closes request objects and leaves responses open', () => {
    expect(activity('slack:post-message').requestSchema).toMatchObject({
      type: 'object',
      required: ['channel', 'text'],
      additionalProperties: false,
    });
    expect(activity('slack:post-message').responseSchema).not.toHaveProperty('additionalProperties');
    expect(responseValidator('slack:post-message')({ ok: true, ts: '1.2', extra: 'partner added this' })).toBe(true);
    expect(requestValidator('comments:get-emojis')({})).toBe(true);
    expect(requestValidator('comments:get-emojis')({ anything: 1 })).toBe(false);
  });

  it('validates slack:post-message requests', () => {
    const validate = requestValidator('slack:post-message');
    expect(validate({ channel: 'C1', text: 'hi' })).toBe(true);
    expect(validate({ channel: 'C1', text: 'hi', thread_ts: '1.2', blocks: [{ type: 'section' }] })).toBe(true);
    expect(validate({ channel: 'C1' })).toBe(false);
    expect(validate.errors).toEqual([
      expect.objectContaining({ keyword: 'required', params: { missingProperty: 'text' } }),
    ]);
    expect(validate({ channel: 42, text: 'hi' })).toBe(false);
    expect(validate.errors).toEqual([expect.objectContaining({ keyword: 'type', instancePath: '/channel' })]);
  });

  it('requires every Jira create-issue field the seed marks required', () => {
    expect(activity('jira:create-issue').requestSchema.required).toEqual([
      'summary',
      'issue_type',
      'description',
      'project_key',
    ]);
    const validate = requestValidator('jira:create-issue');
    const issue = { summary: 'Broken', issue_type: 'Bug', description: 'It broke', project_key: 'PROJ' };
    expect(validate(issue)).toBe(true);
    const { project_key: _projectKey, ...withoutProject } = issue;
    expect(validate(withoutProject)).toBe(false);
    expect(validate.errors).toEqual([expect.objectContaining({ params: { missingProperty: 'project_key' } })]);
  });

  it('lifts nested required flags of array items (create ticket customFieldValues)', () => {
    const validate = requestValidator('tickets:create-ticket');
    const ticket = { title: 'Printer on fire', requestorEmail: 'a@example.com', teamId: 'T1' };
    const customFieldValues = [{ customFieldId: 'CF1', data: { value: 'x' } }];
    expect(validate({ ...ticket, customFieldValues, attachmentUrls: ['https://files.test/a.png'] })).toBe(true);
    expect(validate({ ...ticket, customFieldValues: [{ data: {} }] })).toBe(false);
    expect(validate.errors).toEqual([
      expect.objectContaining({ instancePath: '/customFieldValues/0', params: { missingProperty: 'customFieldId' } }),
    ]);
    expect(validate({ ...ticket, customFieldValues: [{ customFieldId: 'CF1', data: 'not an object' }] })).toBe(false);
    expect(validate({ ...ticket, attachmentUrls: [1] })).toBe(false);
  });

  it('handles arrays of objects inside array items (create account custom field data)', () => {
    const validate = requestValidator('accounts:create-account');
    const account = { name: 'Acme', primaryDomain: 'acme.test' };
    const customFieldValues = [{ customFieldId: 'CF1', data: [{ value: 'v', id: 'o1' }] }];
    expect(validate({ ...account, customFieldValues })).toBe(true);
    expect(validate({ ...account, customFieldValues: [{ customFieldId: 'CF1', data: [{ id: 'o1' }] }] })).toBe(false);
    expect(validate.errors).toEqual([
      expect.objectContaining({ instancePath: '/customFieldValues/0/data/0', params: { missingProperty: 'value' } }),
    ]);
  });

  it('requires nested object fields (AI ticket summary customer.email)', () => {
    const validate = requestValidator('ai:ai-ticket-summary');
    const ticket = {
      id: 'T1',
      title: 'Help',
      teamId: 'team',
      customer: { email: 'c@example.com' },
      tags: [],
      isArchived: false,
      isEscalated: false,
      createdAt: '2026-01-01T00:00:00Z',
    };
    expect(validate(ticket)).toBe(true);
    expect(validate({ ...ticket, customer: { name: 'No email' } })).toBe(false);
    expect(validate.errors).toEqual([
      expect.objectContaining({ instancePath: '/customer', params: { missingProperty: 'email' } }),
    ]);
  });

  it('honours a JSON-Schema style "required" list on an items object (get accounts)', () => {
    const validate = responseValidator('accounts:get-accounts');
    const account = { id: 'A1', name: 'Acme', primaryDomain: 'acme.test', createdAt: 'now', updatedAt: 'now' };
    expect(validate({ data: [account] })).toBe(true);
    const { primaryDomain: _primaryDomain, ...withoutDomain } = account;
    expect(validate({ data: [withoutDomain] })).toBe(false);
  });

  it('treats fields with neither required nor optional as optional', () => {
    // Delete comment's response has `success` with no flag at all.
    expect(activity('comments:delete-comment').responseSchema?.required).toEqual([]);
    expect(responseValidator('comments:delete-comment')({})).toBe(true);
    expect(responseValidator('comments:delete-comment')({ success: 'yes' })).toBe(false);
  });

  it('enforces enums (availability reason)', () => {
    const team = responseValidator('utility:check-team-availability');
    expect(team({ isAvailable: false, reason: 'HOLIDAY' })).toBe(true);
    expect(team({ isAvailable: false, reason: 'TIME_OFF' })).toBe(false);
    expect(team.errors).toEqual([expect.objectContaining({ keyword: 'enum', instancePath: '/reason' })]);
    expect(responseValidator('utility:check-user-availability')({ isAvailable: false, reason: 'TIME_OFF' })).toBe(true);
  });

  it('enforces minimum and maximum (AI confidence scores)', () => {
    const validate = responseValidator('ai:ai-title-and-description-generator');
    expect(validate({ output: { confidence_scores: { title: 0.9, description: 0 } } })).toBe(true);
    expect(validate({ output: { confidence_scores: { title: 1.5 } } })).toBe(false);
    expect(validate.errors).toEqual([
      expect.objectContaining({ keyword: 'maximum', instancePath: '/output/confidence_scores/title' }),
    ]);
    expect(validate({})).toBe(false);
  });
});

describe('parseActivityCatalog on a corrupted seed', () => {
  const assignTicketRequest = '"agentId": {\n"type": "string",\n"required": true,';
  const assignTicketRequestEnd = '"description": "Whether to unassign the ticket instead"\n}\n}';
  const postMessageChannel = '"channel": {\n"type": "string",\n"required": true,\n"description": "Channel ID or';
  const sleepDuration = '"type": "number",\n"required": true,\n"description": "Duration';

  const corruptions: Array<{ problem: string; corrupt: (text: string) => string; error: RegExp }> = [
    {
      problem: 'an unclosed request block',
      corrupt: (text) => replaceOnce(text, assignTicketRequestEnd, assignTicketRequestEnd.slice(0, -2)),
      error: /line 373 \("Assign ticket"\): the block starting on line 378 is never closed/,
    },
    {
      problem: 'an extra closing brace',
      corrupt: (text) => replaceOnce(text, assignTicketRequestEnd, `${assignTicketRequestEnd}\n}`),
      error: /line 395: JSON outside an activity/,
    },
    {
      problem: 'an unknown source',
      corrupt: (text) => replaceOnce(text, 'Source: Platform\nCompensation', 'Source: Partner\nCompensation'),
      error: /unknown source "Partner"/,
    },
    {
      problem: 'a missing payload marker',
      corrupt: (text) => replaceOnce(text, 'Escalates a ticketRequest payload:', 'Escalates a ticket'),
      error: /should end with "Request payload:"/,
    },
    {
      problem: 'a missing comma',
      corrupt: (text) => replaceOnce(text, 'requesting the ticket"\n},', 'requesting the ticket"\n}'),
      error: /expected "}" on line 56/,
    },
    {
      problem: 'contradictory duplicate keys',
      corrupt: (text) => replaceOnce(text, assignTicketRequest, `${assignTicketRequest}\n"required": false,`),
      error: /"required" is given twice with different values/,
    },
    {
      problem: 'contradictory required and optional',
      corrupt: (text) => replaceOnce(text, assignTicketRequest, `${assignTicketRequest}\n"optional": true,`),
      error: /contradictory "required": true and "optional": true/,
    },
    {
      problem: 'an unknown field spec key',
      corrupt: (text) => replaceOnce(text, 'sleep in milliseconds"', 'sleep in milliseconds",\n"format": "duration"'),
      error: /unknown key "format"/,
    },
    {
      problem: 'an unknown field type',
      corrupt: (text) => replaceOnce(text, sleepDuration, sleepDuration.replace('number', 'float')),
      error: /"type" must be one of string, number, integer, boolean, object, array, found "float"/,
    },
    {
      problem: 'an activity under an unknown heading',
      corrupt: (text) => replaceOnce(text, 'Jira integration\n', 'Linear integration\n'),
      error: /"Linear integration" \(line 3993\), which is not a known section/,
    },
    {
      problem: 'a Slack activity without a capability',
      corrupt: (text) => replaceOnce(text, 'Leave channel\nLeave channel', 'Archive channel\nArchive channel'),
      error: /no capability is mapped for partner activity slack:archive-channel/,
    },
    {
      problem: 'a renamed field the throttler keys on',
      corrupt: (text) => replaceOnce(text, postMessageChannel, postMessageChannel.replace('"channel"', '"channelId"')),
      error: /throttler key "payload:channel" names a field the request does not declare/,
    },
    {
      problem: 'a duplicated entry',
      corrupt: (text) => replaceOnce(text, 'Get ticket\nGet ticket', 'Archive ticket\nArchive ticket'),
      error: /line 695 \("Archive ticket"\): duplicates the entry on line 597/,
    },
    {
      problem: 'a document without activities',
      corrupt: () => 'Core platform activities\nTicket management\n',
      error: /no activities found/,
    },
  ];

  it.each(corruptions)('throws on $problem', ({ corrupt, error }) => {
    expect(() => parseActivityCatalog(corrupt(seedText))).toThrow(error);
  });

  it('names the lines of the problem', () => {
    const corrupted = replaceOnce(seedText, assignTicketRequest, `${assignTicketRequest}\n"required": false,`);
    expect(() => parseActivityCatalog(corrupted)).toThrow(
      /line 373 \("Assign ticket"\), request, field "agentId" \(line 384\).*\(line 386: true, line 387: false\)/,
    );
  });

  it('accepts a duplicate key that repeats the same value', () => {
    const repeated = replaceOnce(seedText, assignTicketRequest, `${assignTicketRequest}\n"required": true,`);
    expect(parseActivityCatalog(repeated)).toEqual(activities);
  });

  it('keeps same-named activities of one section apart by their source', () => {
    const registeredAppTicket = replaceOnce(
      seedText,
      'Get ticket\nGet ticket\nSource: Platform',
      'Create ticket\nCreate ticket\nSource: Registered App',
    );
    const identifiers = parseActivityCatalog(registeredAppTicket).map((seed) => seed.uniqueIdentifier);
    expect(identifiers.filter((identifier) => identifier.startsWith('tickets:create-ticket'))).toEqual([
      'tickets:create-ticket-platform',
      'tickets:create-ticket-registered-app',
    ]);
  });
});
