import type { ChildProcess } from 'node:child_process';

/** Calls `onLine` for every complete line a child process writes to stdout or stderr (and a last unterminated one). */
export function forEachLine(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.filter(Boolean).forEach(onLine);
    });
    stream?.on('end', () => {
      if (buffer) onLine(buffer);
      buffer = '';
    });
  }
}
