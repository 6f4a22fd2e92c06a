import { topics } from '@esp32cloud/protocol';
import mqtt, { type MqttClient } from 'mqtt';

// The device side of the ingest-rate bench, in its own process (forked by ingest-rate.ts) so the subscriber
// under test, the plain mqtt.js client or the bridge, has its process to itself: each device is its own MQTT
// connection with its own credentials, publishing what a real device publishes (heartbeat at QoS 0, retained
// status at QoS 1). The parent paces it with credit: it publishes only while published < credit, and the
// parent grants credit = handled + window, so the broker never holds more than a window of messages for the
// subscriber (no drops, no queue growth) and the rate measured is the subscriber's.

export interface PublisherDevice {
  serial: string;
  username: string;
  password: string;
}

export type PublisherCommand =
  | { type: 'connect'; url: string; devices: PublisherDevice[] }
  /** Start publishing `mix` (reset counters); credit starts at `credit`. */
  | { type: 'run'; mix: 'unchanged' | 'toggles'; credit: number }
  | { type: 'credit'; credit: number }
  | { type: 'pause' }
  | { type: 'exit' };

export type PublisherReport = { type: 'connected' } | { type: 'paused'; published: number; cpuMs: number };

let clients: { serial: string; client: MqttClient; toggled: boolean }[] = [];
let mix: 'unchanged' | 'toggles' = 'unchanged';
let credit = 0;
let published = 0;
let running = false;
let pumping = false;
let next = 0;
let cpuAtRun = process.cpuUsage();
const bootedAt = Date.now();

const rssi = () => -45 - Math.round(Math.random() * 35);
const uptime = () => Math.floor((Date.now() - bootedAt) / 1000) + 1000;

// The simulator's status and heartbeat shapes (simulator/src/device/state.ts): rssi and uptime change in every
// message, so payloads are never byte-identical even when nothing the bridge writes has changed.
function statusPayload(relay1: boolean): string {
  return JSON.stringify({
    v: 1,
    online: true,
    outputs: { relay1, relay2: false, relay3: false, relay4: false },
    firmware: '1.4.2',
    rssi: rssi(),
    uptime_s: uptime(),
    update_interval: 3600,
  });
}

function heartbeatPayload(): string {
  return JSON.stringify({
    v: 1,
    uptime_s: uptime(),
    rssi: rssi(),
    free_heap: 150_000 + Math.round(Math.random() * 20_000),
  });
}

/** One message per call, devices in turn: unchanged alternates heartbeat and status; toggles flips relay1. */
function publishOne(): void {
  const device = clients[next % clients.length];
  const round = Math.floor(next / clients.length);
  next++;
  if (mix === 'toggles') {
    device.toggled = !device.toggled;
    device.client.publish(topics.status(device.serial), statusPayload(device.toggled), {
      qos: 1,
      retain: true,
    });
  } else if (round % 2 === 0)
    device.client.publish(topics.heartbeat(device.serial), heartbeatPayload(), { qos: 0 });
  else
    device.client.publish(topics.status(device.serial), statusPayload(device.toggled), {
      qos: 1,
      retain: true,
    });
  published++;
}

function pump(): void {
  if (pumping) return;
  pumping = true;
  // Chunks of at most 200, then back to the event loop so sockets are written and acks read.
  let sent = 0;
  while (running && published < credit && sent < 200) {
    publishOne();
    sent++;
  }
  pumping = false;
  if (running && published < credit) setImmediate(pump);
}

async function connectAll(url: string, devices: PublisherDevice[]): Promise<void> {
  clients = await Promise.all(
    devices.map(async (d) => ({
      serial: d.serial,
      toggled: false,
      client: await mqtt.connectAsync(url, {
        clientId: d.serial,
        username: d.username,
        password: d.password,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
      }),
    })),
  );
}

const send = (report: PublisherReport) => process.send?.(report);

process.on('message', (command: PublisherCommand) => {
  switch (command.type) {
    case 'connect':
      connectAll(command.url, command.devices).then(
        () => send({ type: 'connected' }),
        (error: unknown) => {
          console.error('publisher: connect failed', error);
          process.exit(1);
        },
      );
      break;
    case 'run':
      mix = command.mix;
      credit = command.credit;
      published = 0;
      running = true;
      cpuAtRun = process.cpuUsage();
      pump();
      break;
    case 'credit':
      credit = command.credit;
      pump();
      break;
    case 'pause': {
      running = false;
      const cpu = process.cpuUsage(cpuAtRun);
      send({ type: 'paused', published, cpuMs: (cpu.user + cpu.system) / 1000 });
      break;
    }
    case 'exit':
      for (const { client } of clients) client.end(true);
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
