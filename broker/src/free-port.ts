import net from 'node:net';

// Ports handed to child processes are chosen below Linux's ephemeral range (32768–60999): a port the OS hands
// out for listen(0) can be taken by any outgoing connection's local end before the child binds it, which is
// how a CI run once lost its Auth emulator. Random picks from a quiet range, checked free, avoid that race.
const QUIET_RANGE = { low: 20_000, high: 32_000 };

function listenable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port that was free a moment ago on 127.0.0.1, outside the range the OS uses for outgoing connections. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = QUIET_RANGE.low + Math.floor(Math.random() * (QUIET_RANGE.high - QUIET_RANGE.low));
    if (await listenable(port, host)) return port;
  }
  throw new Error(`no free port between ${QUIET_RANGE.low} and ${QUIET_RANGE.high} on ${host}`);
}

/** Whether something already listens on host:port. */
export async function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return !(await listenable(port, host));
}
