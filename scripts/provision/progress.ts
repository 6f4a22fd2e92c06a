// A progress bar on stderr for big batches: redrawn in place on a terminal, one line per 10% otherwise (logs).

export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function progressBar(
  total: number,
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const started = Date.now();
  const width = 30;
  let lastDecile = -1;
  const line = (done: number) => {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(fraction * width);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(fraction * 100)}% ${done}/${total} (${rate}/s)`;
  };
  return {
    update(done) {
      if (stream.isTTY) {
        stream.write(`\r${line(done)}`);
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${line(done)}\n`);
      }
    },
    finish() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
