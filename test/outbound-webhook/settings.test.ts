import { ConfigError, loadConfig } from '../../src/config';
import { retryDelayMs } from '../../src/modules/webhook-endpoint/send-delivery';

/** The outbound webhook settings: validated at start like every setting, with documented defaults. */

const base = { NODE_ENV: 'test' } as const;

it('has the documented defaults: 12 attempts over about 22 hours', () => {
  const settings = loadConfig(base).outboundWebhooks;
  expect(settings).toEqual({
    workerEnabled: true,
    timeoutMs: 10_000,
    retryScheduleMs: [10, 60, 300, 900, 1800, 3600, 7200, 10_800, 14_400, 18_000, 21_600].map((s) => s * 1000),
    allowHttpLocalhost: false,
    concurrency: 5,
    pollIntervalMs: 2000,
    leaseMs: 60_000,
    sweepIntervalMs: 30_000,
  });
  const hours = settings.retryScheduleMs.reduce((sum, ms) => sum + ms, 0) / 3_600_000;
  expect(hours).toBeGreaterThan(20);
  expect(hours).toBeLessThan(24);
});

it('reads each setting; durations take ms, s, m or h (seconds without a unit)', () => {
  expect(
    loadConfig({
      ...base,
      OUTBOUND_WEBHOOK_WORKER_ENABLED: 'false',
      OUTBOUND_WEBHOOK_TIMEOUT_MS: '1500',
      OUTBOUND_WEBHOOK_RETRY_SCHEDULE: ' 250ms, 3 ,2m,1h ',
      OUTBOUND_WEBHOOK_ALLOW_HTTP_LOCALHOST: 'true',
      OUTBOUND_WEBHOOK_CONCURRENCY: '7',
      OUTBOUND_WEBHOOK_POLL_INTERVAL_MS: '100',
      OUTBOUND_WEBHOOK_LEASE_MS: '2500',
      OUTBOUND_WEBHOOK_SWEEP_INTERVAL_MS: '200',
    }).outboundWebhooks,
  ).toEqual({
    workerEnabled: false,
    timeoutMs: 1500,
    retryScheduleMs: [250, 3000, 120_000, 3_600_000],
    allowHttpLocalhost: true,
    concurrency: 7,
    pollIntervalMs: 100,
    leaseMs: 2500,
    sweepIntervalMs: 200,
  });
});

it.each([
  ['OUTBOUND_WEBHOOK_RETRY_SCHEDULE', '10s,soon', /OUTBOUND_WEBHOOK_RETRY_SCHEDULE must be a comma-separated list of durations/],
  ['OUTBOUND_WEBHOOK_RETRY_SCHEDULE', '25h', /each at most 24h/],
  ['OUTBOUND_WEBHOOK_RETRY_SCHEDULE', Array(31).fill('1s').join(','), /at most 30 retries/],
  ['OUTBOUND_WEBHOOK_TIMEOUT_MS', '99', /OUTBOUND_WEBHOOK_TIMEOUT_MS must be an integer from 100 to 120000/],
  ['OUTBOUND_WEBHOOK_CONCURRENCY', '0', /OUTBOUND_WEBHOOK_CONCURRENCY must be an integer from 1 to 100/],
  ['OUTBOUND_WEBHOOK_LEASE_MS', '10000', /OUTBOUND_WEBHOOK_LEASE_MS must exceed OUTBOUND_WEBHOOK_TIMEOUT_MS by at least 1000/],
])('refuses %s=%s, naming it', (name, value, message) => {
  expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
  expect(() => loadConfig({ ...base, [name]: value })).toThrow(message);
});

it('jitters each wait by ±20 % and has none after the last retry', () => {
  const schedule = [1000, 60_000];
  expect(retryDelayMs(schedule, 1, () => 0)).toBe(800);
  expect(retryDelayMs(schedule, 1, () => 1)).toBe(1200);
  expect(retryDelayMs(schedule, 2, () => 0.5)).toBe(60_000);
  expect(retryDelayMs(schedule, 3)).toBeNull();
  expect(retryDelayMs([], 1)).toBeNull();
});
