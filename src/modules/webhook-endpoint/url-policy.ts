import type { Config } from '../../config';
import { isAddressAllowed, isIpLiteral, stripBrackets } from '../../lib/outbound-http/address-policy';

/**
 * Which endpoint URLs are accepted: https without credentials or fragment, to a host that is not a
 * private address (checked here for literal addresses, and again for every resolved address when sending).
 * OUTBOUND_WEBHOOK_ALLOW_HTTP_LOCALHOST lets http reach the local machine only (tests, local receivers).
 */

const MAX_URL_LENGTH = 2048;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether the URL's host is this machine by name or loopback literal. */
export function isLocalHost(url: URL): boolean {
  return LOCAL_HOSTS.has(stripBrackets(url.hostname).toLowerCase());
}

/** Whether this URL may reach private addresses when sent to: only local hosts, and only when the setting allows it. */
export function allowsPrivateNetworks(config: Config, url: URL): boolean {
  return config.outbound.allowPrivateNetworks || (config.outboundWebhooks.allowHttpLocalhost && isLocalHost(url));
}

/** The URL as stored, or why it is refused (the message never quotes the URL: it may carry a token). */
export function checkEndpointUrl(config: Config, text: string): { url: string } | { problem: string } {
  if (text.length > MAX_URL_LENGTH) return { problem: `Must be at most ${MAX_URL_LENGTH} characters.` };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { problem: 'Must be an absolute URL such as https://example.com/webhooks.' };
  }
  if (url.username !== '' || url.password !== '') return { problem: 'Must not carry credentials (user:password@).' };
  if (url.hash !== '' || text.includes('#')) return { problem: 'Must not have a fragment (#…).' };
  const httpAllowed = url.protocol === 'http:' && config.outboundWebhooks.allowHttpLocalhost && isLocalHost(url);
  if (url.protocol !== 'https:' && !httpAllowed) return { problem: 'Must use https.' };
  const host = stripBrackets(url.hostname).toLowerCase();
  const privateAllowed = allowsPrivateNetworks(config, url);
  if (host === 'localhost' && !privateAllowed) return { problem: 'Must not point at this machine (localhost).' };
  if (isIpLiteral(host) && !isAddressAllowed(host, privateAllowed)) return { problem: 'Must not point at a private, loopback or reserved address.' };
  return { url: url.toString() };
}
