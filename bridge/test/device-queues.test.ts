import { describe, expect, it } from 'vitest';
import { DeviceQueues } from '../src/device-queues.ts';

// The per-device queues behind the bridge's ordering guarantee: a device's tasks run in order whether they
// finish synchronously or not, devices do not wait for each other, a failure is reported and the queue goes on,
// done() follows each task, and idle() waits for what was enqueued before it only.

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('device queues', () => {
  it('keeps each device in order across sync and async tasks; devices run independently', async () => {
    const log: string[] = [];
    const failures: string[] = [];
    let settled = 0;
    const queues = new DeviceQueues(
      (serial, error) => failures.push(`${serial}:${(error as Error).message}`),
      () => settled++,
    );
    const done: string[] = [];
    for (let i = 0; i < 6; i++) {
      const async = i % 2 === 0;
      queues.enqueue(
        'A',
        () => {
          log.push(`A${i} start`);
          if (i === 3) throw new Error('boom');
          return async ? tick().then(() => log.push(`A${i} end`)) : undefined;
        },
        () => done.push(`A${i}`),
      );
    }
    queues.enqueue('B', () => {
      log.push('B0 start');
      return undefined;
    });
    // B did not wait for A's first (asynchronous) task.
    expect(log).toEqual(['A0 start', 'B0 start']);
    expect(queues.size).toBe(6);
    await queues.idle();
    expect(log).toEqual([
      'A0 start',
      'B0 start',
      'A0 end',
      'A1 start',
      'A2 start',
      'A2 end',
      'A3 start',
      'A4 start',
      'A4 end',
      'A5 start',
    ]);
    expect(done).toEqual(['A0', 'A1', 'A2', 'A3', 'A4', 'A5']);
    expect(failures).toEqual(['A:boom']);
    expect(settled).toBe(7);
    expect(queues.size).toBe(0);
  });

  it('idle() waits for tasks enqueued before it, not after', async () => {
    const queues = new DeviceQueues(
      () => undefined,
      () => undefined,
    );
    let release: () => void = () => undefined;
    let first = false;
    queues.enqueue('A', () => new Promise<void>((r) => (release = r)).then(() => (first = true)));
    let idle = false;
    const waiting = queues.idle().then(() => (idle = true));
    queues.enqueue('A', () => new Promise<void>(() => undefined)); // never finishes
    await tick();
    expect(idle).toBe(false);
    release();
    await waiting;
    expect(first).toBe(true);
    expect(queues.size).toBe(1);
  });
});
