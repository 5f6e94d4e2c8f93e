import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

import { Router } from 'express';

import type { Config } from '../config';
import { projectRoot } from '../lib/paths';

/** Where the explorer lives; its files are under `/graphiql/assets/<content hash>/<name>`. */
export const GRAPHIQL_PATH = '/graphiql';
const GRAPHQL_ENDPOINT = '/graphql';

/** Hashed URLs never change content, so browsers may keep them for a year without asking again. */
const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

const gzip = promisify(zlib.gzip);

/** A file of a package installed in node_modules (graphiql's UMD files are not in its `exports`). */
function packageFile(packageName: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${packageName}/package.json`)), file);
}

/** Everything the page loads besides itself: served from the installed packages, nothing from a CDN. */
const ASSET_FILES: Record<string, () => string> = {
  'graphiql.min.css': () => packageFile('graphiql', 'graphiql.min.css'),
  'graphiql.min.js': () => packageFile('graphiql', 'graphiql.min.js'),
  'react.production.min.js': () => packageFile('react', 'umd/react.production.min.js'),
  'react-dom.production.min.js': () => packageFile('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql-start.js': () => path.join(projectRoot(), 'src/http/graphiql-start.js'),
};

interface Asset {
  body: Buffer;
  contentType: string;
  /** Short content hash: part of the URL and the ETag. */
  version: string;
  url: string;
  /** Subresource Integrity: the browser refuses a file that is not exactly this one. */
  integrity: string;
  gzipped?: Promise<Buffer>;
}

let loadedAssets: Map<string, Asset> | undefined;

function loadAsset(name: string, file: string): Asset {
  const body = fs.readFileSync(file);
  const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return {
    body,
    contentType: name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
    version,
    url: `${GRAPHIQL_PATH}/assets/${version}/${name}`,
    integrity: `sha384-${createHash('sha384').update(body).digest('base64')}`,
  };
}

const FIRST_QUERY = `query FirstQuery {
  viewer {
    role
    accountId
  }
  accountIntegrations(first: 5) {
    totalCount
    edges {
      node {
        id
        integrationName
        connectionStatus
        integrationPartner {
          key
          name
        }
      }
    }
  }
}
`;

const SUBSCRIPTION_HINT = `#
# Subscriptions run here too (over WebSocket, with the same headers); for example:
#   subscription { accountIntegrationChanged { type accountIntegrationId occurredAt } }
`;

const WITH_DEMO_KEY = `# The demo account's API key is in the Headers tab below.
# Press Ctrl+Enter (or the run button) to run this query.
${SUBSCRIPTION_HINT}${FIRST_QUERY}`;

const WITHOUT_KEY = `# Put your API key in the Headers tab below, as
#   { "Authorization": "Bearer <your key>" }
# then press Ctrl+Enter (or the run button) to run this query.
${SUBSCRIPTION_HINT}${FIRST_QUERY}`;

/** JSON that cannot end the <script> element carrying it, nor open a comment inside it. */
function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function fillTemplate(template: string, assets: Map<string, Asset>, settings: unknown): string {
  const html = template.replace(/\{\{(asset|integrity):([\w.-]+)\}\}/g, (_match, kind: string, name: string) => {
    const asset = assets.get(name);
    if (!asset) throw new Error(`graphiql.html names an unknown asset: ${name}`);
    return kind === 'asset' ? asset.url : asset.integrity;
  });
  return html.replace('{{settings}}', () => jsonForScriptElement(settings));
}

/**
 * Only this service, only the page's own files: no inline script (the settings block is data), the one
 * inline style allowed by its hash, fonts and icon as data: URLs (GraphiQL's CSS embeds its fonts).
 */
function contentSecurityPolicy(html: string): string {
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  const styleHash = createHash('sha256').update(style).digest('base64');
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'sha256-${styleHash}'`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface GraphiqlOptions {
  env: Config['env'];
  /** The demo account's key as main.ts seeded it; prefilled in development, never elsewhere. */
  demoApiKey: string | undefined;
}

/**
 * GraphiQL at `/graphiql`: an explorer that works with no internet. The page, GraphiQL 3's UMD bundle
 * and React 18 all come from this service (the npm packages), so the browser talks to no other host.
 * It calls `/graphql` with same-origin JSON POSTs, which CORS and CSRF prevention allow as they are, and
 * runs subscriptions over a WebSocket to the same path (CSP `connect-src 'self'` covers ws: on this host).
 */
export function graphiqlRouter(options: GraphiqlOptions): Router {
  // The installed files do not change while the process runs: read and hashed once (about 30 ms), shared by every router.
  loadedAssets ??= new Map(Object.entries(ASSET_FILES).map(([name, file]) => [name, loadAsset(name, file())]));
  const assets = loadedAssets;
  const prefilledKey = options.env === 'development' ? options.demoApiKey : undefined;
  const settings = {
    endpoint: GRAPHQL_ENDPOINT,
    defaultQuery: prefilledKey ? WITH_DEMO_KEY : WITHOUT_KEY,
    headers: prefilledKey ? JSON.stringify({ Authorization: `Bearer ${prefilledKey}` }, null, 2) : undefined,
  };
  const template = fs.readFileSync(path.join(projectRoot(), 'src/http/graphiql.html'), 'utf8');
  const page = fillTemplate(template, assets, settings);
  const pageHeaders = {
    'Content-Type': 'text/html; charset=utf-8',
    // In development the page carries a key: no cache may keep it.
    'Cache-Control': 'no-store',
    'Content-Security-Policy': contentSecurityPolicy(page),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };

  const router = Router();
  router.get(GRAPHIQL_PATH, (_req, res) => {
    res.set(pageHeaders).status(200).send(page);
  });
  router.get(`${GRAPHIQL_PATH}/assets/:version/:name`, async (req, res, next) => {
    const asset = assets.get(req.params.name);
    // An old or unknown version falls through to the JSON 404: serving other bytes under it would poison caches.
    if (!asset || asset.version !== req.params.version) {
      next();
      return;
    }
    const gzipped = req.acceptsEncodings('gzip') === 'gzip';
    // Each encoding is its own representation, with its own ETag.
    const etag = gzipped ? `"${asset.version}-gzip"` : `"${asset.version}"`;
    res.vary('Accept-Encoding');
    res.set({ 'Content-Type': asset.contentType, 'Cache-Control': ASSET_CACHE_CONTROL, ETag: etag, 'X-Content-Type-Options': 'nosniff' });
    if (req.get('if-none-match') === etag) {
      res.status(304).end();
      return;
    }
    if (gzipped) {
      // Compressed once, on first use (GraphiQL's bundle: about 980 kB, 310 kB gzipped).
      asset.gzipped ??= gzip(asset.body);
      res.set('Content-Encoding', 'gzip').send(await asset.gzipped);
      return;
    }
    res.send(asset.body);
  });
  return router;
}
