import { malformedMessages } from '../garbage.ts';
import type { Publish } from './connection.ts';

// Misbehaviour on demand, for tests and demos of the platform's resilience.

export type Fault =
  /** Vanish without a DISCONNECT (power cut): the broker publishes the last will. */
  | { kind: 'drop'; forMs?: number }
  /** Stay connected but stop status and heartbeats (hung firmware with a live TCP stack). */
  | { kind: 'silent' }
  /** Publish the malformed-message corpus on its own topics. */
  | { kind: 'garbage'; count?: number }
  /** Receive commands and never acknowledge (nor obey) them. */
  | { kind: 'no_ack' };

export interface PowerSwitch {
  /** Cut the power: the session dies without DISCONNECT. */
  cut(): void;
  /** Power back on: connect again. */
  restore(): void;
}

export class Faults {
  private readonly active = new Set<Fault['kind']>();

  constructor(
    private readonly serial: string,
    private readonly publish: Publish,
    private readonly power: PowerSwitch,
  ) {}

  has(kind: Fault['kind']): boolean {
    return this.active.has(kind);
  }

  list(): string[] {
    return [...this.active];
  }

  async inject(fault: Fault): Promise<void> {
    if (fault.kind === 'garbage') {
      // A burst, not a lasting state.
      const corpus = malformedMessages(this.serial);
      for (const message of corpus.slice(0, fault.count ?? corpus.length)) {
        await this.publish(message.topic, message.payload, 1);
      }
      return;
    }
    this.active.add(fault.kind);
    if (fault.kind !== 'drop') return;
    this.power.cut();
    if (fault.forMs !== undefined) {
      const timer = setTimeout(() => this.recover(), fault.forMs);
      timer.unref?.();
    }
  }

  /** Clears every fault; a dropped device powers back on. */
  recover(): void {
    const wasDropped = this.active.has('drop');
    this.active.clear();
    if (wasDropped) this.power.restore();
  }
}
