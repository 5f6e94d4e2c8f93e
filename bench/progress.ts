/** A one-line progress bar on stderr (a line per 10 % when stderr is not a terminal). */
export interface Progress {
  tick(done: number): void;
  finish(note?: string): void;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const width = 30;
  const started = Date.now();
  let lastDecile = -1;
  const render = (done: number, end: string) => {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(fraction * width);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    return `${label.padEnd(16)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${seconds}s${end}`;
  };
  return {
    tick(done) {
      if (stream.isTTY) {
        stream.write(`\r${render(done, '')}`);
        return;
      }
      const decile = Math.floor((done / Math.max(total, 1)) * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(render(done, '\n'));
      }
    },
    finish(note = '') {
      const line = render(total, note ? `  ${note}` : '');
      if (stream.isTTY) stream.write(`\r${line}\n`);
      else if (note || lastDecile !== 10) stream.write(`${line}\n`);
    },
  };
}
