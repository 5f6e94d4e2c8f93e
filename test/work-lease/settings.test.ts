import { ConfigError, loadConfig } from '../../src/config';

/** WEBHOOK_HEALTH_CHECK_INTERVAL_MINUTES: validated like every setting, with a documented default. */

describe('WEBHOOK_HEALTH_CHECK_INTERVAL_MINUTES', () => {
  it('defaults to 60 minutes', () => {
    expect(loadConfig({}).webhookHealthCheckIntervalMinutes).toBe(60);
  });

  it('accepts 1 to 10080 minutes', () => {
    expect(loadConfig({ WEBHOOK_HEALTH_CHECK_INTERVAL_MINUTES: '1' }).webhookHealthCheckIntervalMinutes).toBe(1);
    expect(loadConfig({ WEBHOOK_HEALTH_CHECK_INTERVAL_MINUTES: '10080' }).webhookHealthCheckIntervalMinutes).toBe(10_080);
  });

  it.each(['0', '10081', '15m', '-5', '1.5'])('refuses %s with a ConfigError naming the setting', (value) => {
    expect(() => loadConfig({ WEBHOOK_HEALTH_CHECK_INTERVAL_MINUTES: value })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_HEALTH_CHECK_INTERVAL_MINUTES: value })).toThrow(
      `WEBHOOK_HEALTH_CHECK_INTERVAL_MINUTES must be an integer from 1 to 10080, not "${value}".`,
    );
  });
});
