import { OAuthClientCredentials } from '../modules/oauth/client-credentials';
import { PARTNER_HTTP } from './partner-http';

/**
 * Per-partner settings from the environment, keyed by partner key. `<KEY>` is the partner key in upper
 * case (`SLACK`, `APP_STORE_CONNECT`):
 * - PARTNER_<KEY>_BASE_URL replaces the partner's API base URL (tests point it at 127.0.0.1);
 * - PARTNER_<KEY>_TOKEN_URL replaces an OAuth partner's token endpoint;
 * - OAUTH_<KEY>_CLIENT_ID and OAUTH_<KEY>_CLIENT_SECRET are this platform's OAuth client at the partner.
 *   They come from configuration only and are never stored in the database.
 */
export interface PartnerSettings {
  baseUrl?: string;
  tokenUrl?: string;
  oauthClient?: OAuthClientCredentials;
}

export type PartnerSettingsByKey = Readonly<Record<string, PartnerSettings>>;

export function envPrefix(partnerKey: string): string {
  return partnerKey.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

function parseEndpoint(name: string, value: string | undefined, allowInsecure: boolean, fail: (message: string) => Error): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail(`${name} is not a valid URL.`);
  }
  if (url.username !== '' || url.password !== '') throw fail(`${name} must not contain a user name or password.`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowInsecure)) {
    throw fail(`${name} must be an https URL (http only with OUTBOUND_ALLOW_PRIVATE_NETWORKS=true).`);
  }
  if (url.search !== '' || url.hash !== '') throw fail(`${name} must not have a query or fragment.`);
  return value;
}

function parseClientValue(name: string, value: string | undefined, fail: (message: string) => Error): string | undefined {
  if (value === undefined || value === '') return undefined;
  // Never echo the value: it may be the secret.
  if (value.length > 1000 || /\s/.test(value)) throw fail(`${name} must be at most 1000 characters without spaces.`);
  return value;
}

export function parsePartnerSettings(
  env: NodeJS.ProcessEnv,
  allowPrivateNetworks: boolean,
  fail: (message: string) => Error,
): PartnerSettingsByKey {
  const result: Record<string, PartnerSettings> = {};
  for (const partner of PARTNER_HTTP.values()) {
    const prefix = envPrefix(partner.key);
    const settings: PartnerSettings = {};
    const baseUrl = parseEndpoint(`PARTNER_${prefix}_BASE_URL`, env[`PARTNER_${prefix}_BASE_URL`], allowPrivateNetworks, fail);
    if (baseUrl !== undefined) settings.baseUrl = baseUrl;
    const tokenUrlName = `PARTNER_${prefix}_TOKEN_URL`;
    const tokenUrl = parseEndpoint(tokenUrlName, env[tokenUrlName], allowPrivateNetworks, fail);
    const clientId = parseClientValue(`OAUTH_${prefix}_CLIENT_ID`, env[`OAUTH_${prefix}_CLIENT_ID`], fail);
    const clientSecret = parseClientValue(`OAUTH_${prefix}_CLIENT_SECRET`, env[`OAUTH_${prefix}_CLIENT_SECRET`], fail);
    if (!partner.oauth && (tokenUrl !== undefined || clientId !== undefined || clientSecret !== undefined)) {
      throw fail(`${partner.key} is not an OAuth 2 partner: ${tokenUrlName}, OAUTH_${prefix}_CLIENT_ID and OAUTH_${prefix}_CLIENT_SECRET do not apply.`);
    }
    if (tokenUrl !== undefined) settings.tokenUrl = tokenUrl;
    if ((clientId === undefined) !== (clientSecret === undefined)) {
      throw fail(`OAUTH_${prefix}_CLIENT_ID and OAUTH_${prefix}_CLIENT_SECRET must be set together.`);
    }
    if (clientId !== undefined && clientSecret !== undefined) settings.oauthClient = new OAuthClientCredentials(clientId, clientSecret);
    if (Object.keys(settings).length > 0) result[partner.key] = settings;
  }
  return result;
}
