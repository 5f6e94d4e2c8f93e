import { setTimeout as sleep } from 'node:timers/promises';

/** One GraphQL request as the fault tests see it: when, how long, and what came back. */
export interface Outcome {
  startedAt: number;
  ms: number;
  status: number;
  ok: boolean;
  /** `extensions.code` of the first error. */
  code?: string;
  body: string;
}

/** POSTs a GraphQL request with an API key; never waits more than 10 s. */
export async function sendGraphQL(baseUrl: string, key: string, query: string, variables?: Record<string, unknown>): Promise<Outcome> {
  const startedAt = Date.now();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  const parsed = JSON.parse(body) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
  const code = parsed.errors?.[0]?.extensions?.code;
  return { startedAt, ms: Date.now() - startedAt, status: response.status, ok: !parsed.errors && Boolean(parsed.data), code, body };
}

/** Polls `check` every 25 ms until it holds or `withinMs` has passed; resolves with its last answer. */
export async function eventually(check: () => Promise<boolean> | boolean, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(25);
  }
  return check();
}

export interface LoadRun {
  outcomes: Outcome[];
  faultStartedAt: number;
  /** When `fault` resolved (the database is back, for a restart). */
  back: number;
  /** When the first request started after `back` succeeded (Infinity if none did). */
  recoveredAt: number;
  recoveredAfterMs: number;
}

/**
 * One loop per request function, each sending its request again as soon as the last one answered:
 * 1 s before `fault`, then on until a request started after it has succeeded (at most 8 s), and 1 s
 * more. Bounded in time, and in count by the round trips.
 */
export async function underLoad(requests: Array<() => Promise<Outcome>>, fault: () => Promise<void>): Promise<LoadRun> {
  const outcomes: Outcome[] = [];
  let running = true;
  const loop = async (request: () => Promise<Outcome>) => {
    while (running) {
      const outcome = await request();
      outcomes.push(outcome);
      // A client backs off a little after a failure; it also bounds the request count while the database is down.
      if (!outcome.ok) await sleep(20);
    }
  };
  const loops = Promise.all(requests.map(loop));
  try {
    await sleep(1000);
    const faultStartedAt = Date.now();
    await fault();
    const back = Date.now();
    const succeededAfter = () => outcomes.find((o) => o.ok && o.startedAt >= back);
    await eventually(() => succeededAfter() !== undefined, 8000);
    const first = succeededAfter();
    const recoveredAt = first ? first.startedAt + first.ms : Infinity;
    await sleep(1000);
    return { outcomes, faultStartedAt, back, recoveredAt, recoveredAfterMs: recoveredAt - back };
  } finally {
    running = false;
    await loops;
  }
}
