// @vitest-environment happy-dom
import { CATALOGUE } from '@esp32cloud/protocol';
import { act, cleanup, render } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeDevice } from '../src/devices/decode.ts';
import { type OutputCommands, useOutputCommands } from '../src/devices/output-commands.ts';
import type { CommandRecord, DeviceRecord } from '../src/devices/types.ts';

// The pending mark of a control, driven through its lifecycle by hand: the command transport (the API call and
// the command document's listener) is replaced so the order of "ack" and "device reported" can be chosen.
// The Chromium journeys cover the same hook against the real API, broker and Firestore.

const transport = vi.hoisted(() => ({
  listeners: new Map<string, (command: CommandRecord) => void>(),
  next: 0,
  /** When set, the API's answer waits for it. */
  answer: null as Promise<void> | null,
}));

vi.mock('../src/devices/commands.ts', () => ({
  sendCommand: async () => {
    const id = `cmd-${++transport.next}`;
    if (transport.answer) await transport.answer;
    return id;
  },
  watchCommand: (_device: string, id: string, onChange: (command: CommandRecord) => void) => {
    transport.listeners.set(id, onChange);
    return () => transport.listeners.delete(id);
  },
}));

const relay1 = CATALOGUE['4Relay'].outputs.find((o) => o.key === 'relay1')!;

function board(relayOn: boolean): DeviceRecord {
  return decodeDevice('ESP32_AA5510', {
    serial_number: 'ESP3200012345K',
    device_type: '4Relay',
    status: 'registered',
    state: { online: true, last_seen: null, outputs: { relay1: relayOn }, readings: {} },
  });
}

// Like the device page: the hook's owner re-renders when the device document changes; the pending mark is
// read by a child, so marking a command acked re-renders only the child.
let commands: OutputCommands;
function Owner(props: { device: DeviceRecord }) {
  commands = useOutputCommands(props.device);
  return <Mark />;
}
function Mark() {
  return <span data-testid="pending">{commands.pending.value.relay1 ? 'pending' : 'settled'}</span>;
}

const ack = (id: string) => transport.listeners.get(id)?.({ outcome: 'acked' } as unknown as CommandRecord);

beforeEach(() => {
  vi.useFakeTimers();
  transport.listeners.clear();
  transport.answer = null;
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('a control’s pending mark', () => {
  it('settles at the device’s report of the new value, before the API has answered', async () => {
    let answer = () => {};
    transport.answer = new Promise((resolve) => {
      answer = resolve;
    });
    const view = render(<Owner device={board(false)} />);
    let sent: Promise<void> = Promise.resolve();
    act(() => {
      sent = commands.set(relay1, true);
    });
    expect(view.getByTestId('pending').textContent).toBe('pending');
    // The bridge wrote the device's report; the device listener delivers it while the POST is still out.
    view.rerender(<Owner device={board(true)} />);
    expect(view.getByTestId('pending').textContent).toBe('settled');
    // The late answer neither brings the mark back nor follows a command already answered by the device.
    answer();
    await act(() => sent);
    expect(view.getByTestId('pending').textContent).toBe('settled');
    expect(transport.listeners.size).toBe(0);
  });

  it('waits for the ack when the device already showed the value asked for', async () => {
    const view = render(<Owner device={board(true)} />);
    await act(() => commands.set(relay1, true));
    view.rerender(<Owner device={board(true)} />);
    expect(view.getByTestId('pending').textContent).toBe('pending');
    act(() => ack(`cmd-${transport.next}`));
    // No timer has run: it settled because of the ack, not the grace period.
    expect(view.getByTestId('pending').textContent).toBe('settled');
  });

  it('settles at the report when the ack came first', async () => {
    const view = render(<Owner device={board(false)} />);
    await act(() => commands.set(relay1, true));
    act(() => ack(`cmd-${transport.next}`));
    expect(view.getByTestId('pending').textContent).toBe('pending');
    view.rerender(<Owner device={board(true)} />);
    expect(view.getByTestId('pending').textContent).toBe('settled');
  });

  it('drops the mark after the grace period when the device acks but never reports the value', async () => {
    const view = render(<Owner device={board(false)} />);
    await act(() => commands.set(relay1, true));
    act(() => ack(`cmd-${transport.next}`));
    expect(view.getByTestId('pending').textContent).toBe('pending');
    act(() => {
      vi.runOnlyPendingTimers();
    });
    expect(view.getByTestId('pending').textContent).toBe('settled');
  });
});
