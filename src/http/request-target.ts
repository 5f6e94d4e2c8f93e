/**
 * The path and the query string of a request target (`req.url`), split at the first `?` without
 * building a URL object: the hot path reads them on every request. `search` keeps its `?` (as
 * `URL.search` and Apollo's integrations give it), or is empty.
 */
export function splitTarget(url: string | undefined): { path: string; search: string } {
  const target = url ?? '';
  const queryStart = target.indexOf('?');
  return queryStart === -1 ? { path: target, search: '' } : { path: target.slice(0, queryStart), search: target.slice(queryStart) };
}
