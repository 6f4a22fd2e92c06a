import type { BrokerTlsFiles } from './tls.ts';

// Mosquitto 2 configuration, rendered for a data directory and listeners. broker/config/mosquitto.conf is the
// same text rendered for production (the container's paths, TLS on 8883 and 443, plain MQTT on loopback).

export const DYNSEC_PLUGIN_PATHS = [
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
  '/usr/local/lib/mosquitto_dynamic_security.so',
];

export interface ListenerConf {
  port: number;
  /** Address to bind; unset binds every interface (allowed only with TLS in production). */
  host?: string;
  protocol: 'mqtt' | 'websockets';
  /** Server certificate and key (and the CA that issued it): the listener speaks TLS only. */
  tls?: BrokerTlsFiles;
  /** One comment line saying who the listener is for. */
  comment: string;
}

export interface MosquittoConfOptions {
  listeners: ListenerConf[];
  dataDir: string;
  dynsecFile: string;
  pluginPath: string;
  /** Run as this user when started as root (Mosquitto otherwise drops to `mosquitto`). */
  user?: string;
  logDest?: string;
}

function renderListener(l: ListenerConf): string[] {
  return [
    `# ${l.comment}`,
    `listener ${l.port}${l.host ? ` ${l.host}` : ''}`,
    `protocol ${l.protocol}`,
    ...(l.tls
      ? [
          `cafile ${l.tls.caFile}`,
          `certfile ${l.tls.certFile}`,
          `keyfile ${l.tls.keyFile}`,
          'tls_version tlsv1.2',
        ]
      : []),
    '',
  ];
}

export function renderMosquittoConf(o: MosquittoConfOptions): string {
  const dir = o.dataDir.endsWith('/') ? o.dataDir : `${o.dataDir}/`;
  return [
    '# ESP32 Cloud broker: every client authenticates through the dynamic-security plugin.',
    ...(o.user ? [`user ${o.user}`] : []),
    'per_listener_settings false',
    'allow_anonymous false',
    '',
    '# Sessions and QoS 1 messages survive a broker restart.',
    'persistence true',
    `persistence_location ${dir}`,
    'autosave_interval 60',
    '',
    ...o.listeners.flatMap(renderListener),
    '# Lost devices: the last will is published after 1.5 x keepalive without traffic.',
    'max_keepalive 300',
    'max_packet_size 65536',
    '# The bridge must absorb bursts (a fleet reconnecting after an outage) without dropping QoS 1.',
    'max_queued_messages 100000',
    'max_inflight_messages 100',
    "# A command goes out at once, not held behind the connection's unacknowledged bytes (Nagle's algorithm).",
    'set_tcp_nodelay true',
    '',
    `plugin ${o.pluginPath}`,
    `plugin_opt_config_file ${o.dynsecFile}`,
    '',
    `log_dest ${o.logDest ?? 'stdout'}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    'connection_messages true',
    '',
  ].join('\n');
}
