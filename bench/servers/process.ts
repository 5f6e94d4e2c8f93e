/** Child processes of the benchmark: output to a file, readiness, and a stop that always ends them. */
import { type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

// A benchmark that crashes or is interrupted leaves no server behind.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}


/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Rejects as soon as the child exits: raced against readiness so a crashed start fails fast. */
export function exitOf(child: ChildProcess, what: string, logFile: string): Promise<never> {
  return new Promise((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`${what} exited (${code ?? signal}) before it was ready; see ${logFile}`))),
  );
}
