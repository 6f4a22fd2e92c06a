// @vitest-environment happy-dom
import { CATALOGUE, parseCommand } from '@esp32cloud/protocol';
import { signal } from '@preact/signals';
import { act, cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { Controls } from '../src/dashboard/Controls.tsx';
import { DeviceCard } from '../src/dashboard/DeviceCard.tsx';
import { matchesFilter, NO_FILTER } from '../src/dashboard/filter.ts';
import { Readings } from '../src/dashboard/Readings.tsx';
import { commandForOutput } from '../src/devices/controls.ts';
import { decodeCommand, decodeDevice, decodeLink } from '../src/devices/decode.ts';
import { canControl, canManage } from '../src/devices/permissions.ts';
import type { DeviceLink, DeviceRecord } from '../src/devices/types.ts';
import { language } from '../src/i18n/index.ts';

afterEach(() => {
  cleanup();
  language.value = 'th';
});

function relayBoard(overrides: Partial<DeviceRecord['state']> = {}): DeviceRecord {
  return decodeDevice('ESP32_AA5510', {
    serial_number: 'ESP3200012345K',
    device_type: '4Relay',
    status: 'registered',
    state: {
      online: true,
      last_seen: null,
      outputs: { relay1: true, relay2: false },
      readings: {},
      ...overrides,
    },
  });
}

const livingRoom: DeviceLink = { deviceId: 'ESP32_AA5510', name: 'ห้องนั่งเล่น', access: 'owner' };

describe('device documents', () => {
  it('decodes a device with Firestore timestamps and tolerates missing fields', () => {
    const seen = new Date('2026-01-02T03:04:05Z');
    const device = decodeDevice('ESP32_000001', {
      device_type: 'Sensor',
      state: { online: true, last_seen: { toDate: () => seen }, readings: { temperature: 24.5 } },
    });
    expect(device.type).toBe('Sensor');
    expect(device.state.lastSeen).toEqual(seen);
    expect(device.state.outputs).toEqual({});
    expect(device.state.readings.temperature).toBe(24.5);
    expect(decodeDevice('x', {}).state.online).toBe(false);
  });

  it('decodes links and commands, defaulting unknown values to the safest', () => {
    expect(decodeLink({ device_id: 'D', device_name: 'ครัว', access_level: 'controller' })).toEqual({
      deviceId: 'D',
      name: 'ครัว',
      access: 'controller',
    });
    expect(decodeLink({ device_id: 'D', access_level: 'admin' })?.access).toBe('viewer');
    expect(decodeLink({})).toBeNull();
    expect(decodeCommand('c1', { status: 'acked' }).status).toBe('acked');
    expect(decodeCommand('c1', { status: 'weird' }).status).toBe('queued');
    // The device answered before the API marked the command sent: still answered.
    expect(decodeCommand('c1', { status: 'sent', acked_at: { seconds: 1 } }).status).toBe('acked');
    expect(
      decodeCommand('c1', { status: 'sent', acked_at: { seconds: 1 }, error: 'relay stuck' }).status,
    ).toBe('failed');
  });
});

describe('permissions', () => {
  it('lets owners and controllers control, only owners manage', () => {
    expect([canControl('owner'), canControl('controller'), canControl('viewer')]).toEqual([
      true,
      true,
      false,
    ]);
    expect([canManage('owner'), canManage('controller'), canManage('viewer')]).toEqual([true, false, false]);
  });
});

describe('commands for controls', () => {
  it('builds a catalogue-valid command for every output of every type', () => {
    for (const spec of Object.values(CATALOGUE)) {
      for (const output of spec.outputs) {
        const value = output.kind === 'switch' ? true : output.kind === 'level' ? 40 : '#ff8800';
        const body = commandForOutput(spec.type, output, value);
        const parsed = parseCommand(spec.type, body);
        expect(parsed.ok, `${spec.type}.${output.key}: ${JSON.stringify(parsed)}`).toBe(true);
        if (parsed.ok) expect(parsed.value.desiredOutputs[output.key]).toBe(value);
      }
    }
  });

  it('switches relay 1 with the documented relay command', () => {
    const relay1 = CATALOGUE['4Relay'].outputs[0]!;
    expect(commandForOutput('4Relay', relay1, false)).toEqual({ command: 'relay', relay: 1, state: 'off' });
  });
});

describe('search and filter', () => {
  const online = relayBoard();
  const offline = relayBoard({ online: false });

  it('matches Thai names, serials and ids, case-insensitively', () => {
    expect(matchesFilter(livingRoom, online, { ...NO_FILTER, text: 'นั่งเล่น' })).toBe(true);
    expect(matchesFilter(livingRoom, online, { ...NO_FILTER, text: 'esp3200012345' })).toBe(true);
    expect(matchesFilter(livingRoom, online, { ...NO_FILTER, text: 'aa5510' })).toBe(true);
    expect(matchesFilter(livingRoom, online, { ...NO_FILTER, text: 'ครัว' })).toBe(false);
  });

  it('filters by type and by online state', () => {
    expect(matchesFilter(livingRoom, online, { ...NO_FILTER, type: '4Relay' })).toBe(true);
    expect(matchesFilter(livingRoom, online, { ...NO_FILTER, type: 'LED' })).toBe(false);
    expect(matchesFilter(livingRoom, online, { ...NO_FILTER, online: 'online' })).toBe(true);
    expect(matchesFilter(livingRoom, offline, { ...NO_FILTER, online: 'online' })).toBe(false);
    expect(matchesFilter(livingRoom, offline, { ...NO_FILTER, online: 'offline' })).toBe(true);
  });
});

describe('DeviceCard', () => {
  it('shows the live state of its device, its quick controls, and follows its signal', async () => {
    const device = signal<DeviceRecord | null | undefined>(relayBoard({ online: false }));
    render(
      <ul>
        <DeviceCard link={livingRoom} device={device} position={1} total={1} offline={false} />
      </ul>,
    );
    const card = screen.getByTestId('device-card-ESP32_AA5510');
    expect(card.getAttribute('href')).toBe('/devices/ESP32_AA5510');
    expect(card.textContent).toContain('ห้องนั่งเล่น');
    expect(card.textContent).toContain('ออฟไลน์');
    const relay3 = screen.getByTestId('quick-ESP32_AA5510-relay3');
    expect(relay3.getAttribute('aria-pressed')).toBe('false');
    expect(relay3.textContent).toBe('รีเลย์ 3: ปิด');
    await act(() => {
      device.value = relayBoard({ online: true, outputs: { relay3: true } });
    });
    expect(card.getAttribute('data-online')).toBe('true');
    expect(card.textContent).toContain('ออนไลน์');
    expect(screen.getByTestId('quick-ESP32_AA5510-relay3').getAttribute('aria-pressed')).toBe('true');
  });

  it("shows a viewer the device's summary instead of controls, and its room", () => {
    const device = signal<DeviceRecord | null | undefined>({ ...relayBoard(), room: 'ห้องครัว 🍳' });
    render(
      <ul>
        <DeviceCard
          link={{ ...livingRoom, access: 'viewer' }}
          device={device}
          position={1}
          total={1}
          offline
        />
      </ul>,
    );
    expect(screen.queryByTestId('quick-ESP32_AA5510-relay1')).toBeNull();
    expect(screen.getByTestId('device-room-ESP32_AA5510').textContent).toBe('ห้องครัว 🍳');
    expect(screen.getByText('ข้อมูลเก่า')).toBeTruthy();
  });
});

describe('Controls and readings', () => {
  it('draws four relay toggles for a 4Relay, pressed as the device reports', () => {
    render(<Controls device={relayBoard()} />);
    expect(screen.getByTestId('output-relay1').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('output-relay2').getAttribute('aria-pressed')).toBe('false');
    expect(screen.getAllByRole('button')).toHaveLength(4);
  });

  it('draws power, brightness and colour for an LED controller', () => {
    language.value = 'en';
    const led = decodeDevice('ESP32_LED001', {
      device_type: 'LED',
      state: { online: true, outputs: { power: true, brightness: 35, color: '#112233' } },
    });
    render(<Controls device={led} />);
    expect(screen.getByTestId('output-power').textContent).toBe('Power: On');
    expect((screen.getByTestId('output-brightness') as HTMLInputElement).value).toBe('35');
    expect((screen.getByTestId('output-color') as HTMLInputElement).value).toBe('#112233');
  });

  it('shows sensor readings with units, and no controls', () => {
    const sensor = decodeDevice('ESP32_SEN001', {
      device_type: 'Sensor',
      state: { online: true, readings: { temperature: 28.46, humidity: 61 } },
    });
    const { container } = render(<Controls device={sensor} />);
    expect(container.textContent).toBe('');
    render(<Readings device={sensor} canControl={false} />);
    expect(screen.getByTestId('reading-temperature').textContent).toContain('28.5 °C');
    expect(screen.getByTestId('reading-humidity').textContent).toContain('61.0 %');
    expect(screen.getByTestId('reading-pressure').textContent).toContain('—');
    expect(screen.queryByRole('button')).toBeNull();
  });
});
