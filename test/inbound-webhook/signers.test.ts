import { createHmac } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

import { shopifySignature, slackSignature, standardWebhooksSignature, stripeHeaders } from './helpers';

/*
 * The test senders must be right before they can prove the service right: each reproduces the example
 * its partner publishes, or agrees with the partner's own package.
 */

describe('test senders, on the partners’ documented vectors', () => {
  it('Slack: the worked example of “Verifying requests from Slack”', () => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
      '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
      '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature(secret, 1531420618, body)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });

  it('Standard Webhooks: the reference library’s published signature, and its verifier', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(standardWebhooksSignature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
    const now = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': standardWebhooksSignature(secret, 'msg_1', now, body) };
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
  });

  it('Stripe: the stripe package’s test header is `t=…,v1=` the hex HMAC of `t.body` with the whole secret', () => {
    const secret = 'whsec_test_secret';
    const body = '{"id":"evt_1","object":"event"}';
    const header = stripeHeaders(secret, body, 1700000000)['stripe-signature'];
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(header).toBe(`t=1700000000,v1=${expected}`);
  });

  it('Shopify: base64 of the HMAC-SHA256 of the raw body with the client secret', () => {
    // Shopify publishes no vector; this one was computed independently (openssl dgst -sha256 -hmac … -binary | base64).
    expect(shopifySignature('shop-secret', '{"id":1}')).toBe('plW8VGqq0nDMIEhDqaNNW99asdUCy7EIqLZVcQwtAZ0=');
  });
});
