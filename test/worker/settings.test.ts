import { ConfigError, loadConfig } from '../../src/config';

/** The token refresher's settings: validated at start like every setting, with documented defaults. */

const base = { NODE_ENV: 'test' } as const;

it('has sensible defaults', () => {
  expect(loadConfig(base).tokenRefresher).toEqual({
    batchSize: 20,
    leaseSeconds: 120,
    pollIntervalMs: 30_000,
    concurrency: 5,
    shutdownGracePeriodMs: 30_000,
  });
});

it('reads each setting', () => {
  expect(
    loadConfig({
      ...base,
      TOKEN_REFRESHER_BATCH_SIZE: '100',
      TOKEN_REFRESHER_LEASE_SECONDS: '600',
      TOKEN_REFRESHER_POLL_INTERVAL_MS: '100',
      TOKEN_REFRESHER_CONCURRENCY: '1',
      WORKER_SHUTDOWN_GRACE_PERIOD_MS: '0',
    }).tokenRefresher,
  ).toEqual({ batchSize: 100, leaseSeconds: 600, pollIntervalMs: 100, concurrency: 1, shutdownGracePeriodMs: 0 });
});

it.each([
  ['TOKEN_REFRESHER_BATCH_SIZE', '101', 'from 1 to 100'],
  ['TOKEN_REFRESHER_BATCH_SIZE', 'ten', 'from 1 to 100'],
  ['TOKEN_REFRESHER_LEASE_SECONDS', '9', 'from 10 to 3600'],
  ['TOKEN_REFRESHER_POLL_INTERVAL_MS', '99', 'from 100 to 3600000'],
  ['TOKEN_REFRESHER_CONCURRENCY', '0', 'from 1 to 100'],
  ['WORKER_SHUTDOWN_GRACE_PERIOD_MS', '-1', 'from 0 to 600000'],
])('refuses %s=%s, naming it', (name, value, range) => {
  expect(() => loadConfig({ ...base, [name]: value })).toThrow(new ConfigError(`${name} must be an integer ${range}, not "${value}".`));
});

it('refuses a lease too short for one token request and its report', () => {
  expect(() => loadConfig({ ...base, OUTBOUND_TIMEOUT_MS: '60000', TOKEN_REFRESHER_LEASE_SECONDS: '60' })).toThrow(
    /TOKEN_REFRESHER_LEASE_SECONDS must be at least OUTBOUND_TIMEOUT_MS plus 10 s \(70\)/,
  );
  expect(loadConfig({ ...base, OUTBOUND_TIMEOUT_MS: '60000', TOKEN_REFRESHER_LEASE_SECONDS: '70' }).tokenRefresher.leaseSeconds).toBe(70);
});
