/**
 * The no-GraphQL loop: node:http + pg replaying exactly the statements the service sent for each
 * captured request (same text, parameters and prepared-statement names; statements that waited for
 * others in the service wait for the same ones here, the rest run concurrently; a transaction stays on
 * one connection), then answering with JSON.stringify of the service's captured response. What this
 * stack could reach with zero GraphQL overhead. Forked by the benchmark, which sends the capture over IPC:
 *   node -r ts-node/register/transpile-only bench/peers/loop.ts <port>
 */
import http from 'node:http';

import type { Capture } from '../capture/types';
import { capturedByVariant, replay, serve, servicePool, startWithCapture, substitute, substitutions } from './replay';
import { countStatements } from './statement-counter';

function start(capture: Capture, port: number): void {
  const byVariant = capturedByVariant(capture);
  const pool = servicePool('bench-loop');
  const statements = countStatements(pool);
  let errors = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const fail = (status: number, message: string) => {
        errors++;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message }] }));
      };
      const captured = byVariant.get(String(req.headers['x-bench-variant']));
      if (!captured) return fail(404, 'no captured request for this x-bench-variant');
      // A real endpoint parses its body; the write steps also need the variables.
      const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: Record<string, unknown> };
      const subs = captured.replacements.length > 0 ? substitutions(captured.replacements, variables) : [];
      replay(pool, captured, subs).then(
        () => {
          const json = JSON.stringify(captured.response);
          const body = subs.length > 0 ? (substitute(json, subs) as string) : json;
          res.writeHead(captured.status, { 'content-type': 'application/json; charset=utf-8' }).end(body);
        },
        (error: unknown) => fail(500, error instanceof Error ? error.message : String(error)),
      );
    });
  });
  serve(server, pool, port, () => ({ statements: statements(), errors }));
}

startWithCapture(start);
