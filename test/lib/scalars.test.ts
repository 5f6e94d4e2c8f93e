import { Kind } from 'graphql';

import { ByteScalar, DateTimeScalar } from '../../src/lib/scalars';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration } from '../helpers/tenants';

describe('Byte scalar', () => {
  it.each([0, 1, 127, 255])('accepts %p on input and output', (value) => {
    expect(ByteScalar.serialize(value)).toBe(value);
    expect(ByteScalar.parseValue(value)).toBe(value);
    expect(ByteScalar.parseLiteral({ kind: Kind.INT, value: String(value) }, {})).toBe(value);
  });

  it.each([-1, 256, 1.5, '7', null, true, Number.NaN, [1]])('rejects %p on input and output', (value) => {
    expect(() => ByteScalar.serialize(value)).toThrow(/Byte/);
    expect(() => ByteScalar.parseValue(value)).toThrow(/Byte/);
  });

  it('rejects non-integer and out-of-range literals', () => {
    expect(() => ByteScalar.parseLiteral({ kind: Kind.INT, value: '256' }, {})).toThrow(/Byte/);
    expect(() => ByteScalar.parseLiteral({ kind: Kind.FLOAT, value: '1.0' }, {})).toThrow(/Byte/);
    expect(() => ByteScalar.parseLiteral({ kind: Kind.STRING, value: '1' }, {})).toThrow(/Byte/);
  });
});

describe('DateTime scalar', () => {
  it('serialises dates as UTC ISO strings and requires an offset on input', () => {
    expect(DateTimeScalar.serialize(new Date('2026-01-02T03:04:05.678+02:00'))).toBe('2026-01-02T01:04:05.678Z');
    expect(DateTimeScalar.parseValue('2026-01-02T03:04:05Z')).toEqual(new Date('2026-01-02T03:04:05Z'));
    // RFC 3339 requires seconds; a date or a local time alone names no instant.
    for (const bad of ['2026-01-02', '2026-01-02T03:04:05', '2026-01-02T03:04Z', 'yesterday', 12, '2026-13-45T00:00:00Z']) {
      expect(() => DateTimeScalar.parseValue(bad)).toThrow(/DateTime/);
    }
  });
});

describe('Byte lists over the API', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('serves every byte value 0–255 of a stored ciphertext as JSON numbers', async () => {
    const tenant = await createTenant(app);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const id = await insertIntegration(app, tenant, { webhook_verification_secret_encrypted: all, webhook_secret_key_id: 'k1' });
    const response = await app.request<{ accountIntegration: { webhookVerificationSecretEncrypted: number[] } }>(
      'query($id: ID!) { accountIntegration(id: $id) { webhookVerificationSecretEncrypted } }',
      { id },
      { key: tenant.key },
    );
    expect(response.data!.accountIntegration.webhookVerificationSecretEncrypted).toEqual([...all]);
  });
});
