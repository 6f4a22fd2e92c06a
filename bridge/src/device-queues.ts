// One ordered queue per device: a device's tasks run one after another, different devices' at once. A plain
// array per device instead of a promise chain per message (issue #21: the chain cost four or five promises and
// as many microtask turns for every heartbeat): a task that finishes synchronously (an unchanged message, no
// write) lets the next one start in the same turn, and only a task that returns a promise is waited for.

/** Returns a promise only when it has asynchronous work (a Firestore write or read). */
export type DeviceTask = () => Promise<unknown> | undefined;

interface Queued {
  task: DeviceTask;
  /** Called once the task has run, failed or not (the message's deferred PUBACK). */
  done: (() => void) | undefined;
  /** idle()'s markers are not tasks: they count for nothing. */
  counted: boolean;
}

export class DeviceQueues {
  private readonly queues = new Map<string, Queued[]>();
  private taken = 0;

  constructor(
    private readonly failed: (serial: string, error: unknown) => void,
    /** After each task: the bridge resumes reading its socket from here (back-pressure). */
    private readonly settled: () => void,
  ) {}

  /** Tasks taken and not yet finished. */
  get size(): number {
    return this.taken;
  }

  enqueue(serial: string, task: DeviceTask, done?: () => void): void {
    this.taken++;
    this.push(serial, { task, done, counted: true });
  }

  /** Resolves once every task enqueued so far has run (later ones are not waited for). */
  idle(): Promise<void> {
    const marks: Promise<void>[] = [];
    for (const serial of [...this.queues.keys()])
      marks.push(
        new Promise((resolve) => this.push(serial, { task: () => undefined, done: resolve, counted: false })),
      );
    return Promise.all(marks).then(() => undefined);
  }

  private push(serial: string, queued: Queued): void {
    const queue = this.queues.get(serial);
    if (queue) {
      queue.push(queued);
      return;
    }
    const fresh = [queued];
    this.queues.set(serial, fresh);
    this.run(serial, fresh);
  }

  /** Runs the queue's head and, while tasks finish synchronously, the ones after it. */
  private run(serial: string, queue: Queued[]): void {
    for (;;) {
      let pending: Promise<unknown> | undefined;
      try {
        pending = queue[0].task();
      } catch (error) {
        this.failed(serial, error);
      }
      if (pending) {
        pending.then(
          () => this.next(serial, queue),
          (error: unknown) => {
            this.failed(serial, error);
            this.next(serial, queue);
          },
        );
        return;
      }
      if (!this.finish(serial, queue)) return;
    }
  }

  private next(serial: string, queue: Queued[]): void {
    if (this.finish(serial, queue)) this.run(serial, queue);
  }

  /** The head has run: true when another task of the device waits. */
  private finish(serial: string, queue: Queued[]): boolean {
    const head = queue.shift() as Queued;
    if (head.counted) this.taken--;
    head.done?.();
    if (head.counted) this.settled();
    if (queue.length > 0) return true;
    this.queues.delete(serial);
    return false;
  }
}
