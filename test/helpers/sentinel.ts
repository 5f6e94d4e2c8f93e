/**
 * A secret value the tests send as credentials. The global teardown fails the run if it appears in any
 * response body or log line written during the whole run (see test/global-teardown.ts).
 */
export const SECRET_SENTINEL = 'SENTINEL-SECRET-9f3b1c7e';
