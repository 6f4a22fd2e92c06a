// Mosquitto 2 configuration, rendered for a data directory and ports. broker/config/mosquitto.conf is the
// same text rendered for production (the container's paths and the brief's ports 1883/8083).

export const DYNSEC_PLUGIN_PATHS = [
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
  '/usr/local/lib/mosquitto_dynamic_security.so',
];

export interface MosquittoConfOptions {
  /** Address the listeners bind to; 127.0.0.1 for local runs, unset (all) in production. */
  host?: string;
  port: number;
  wsPort?: number;
  dataDir: string;
  dynsecFile: string;
  pluginPath: string;
  /** Run as this user when started as root (Mosquitto otherwise drops to `mosquitto`). */
  user?: string;
  logDest?: string;
}

export function renderMosquittoConf(o: MosquittoConfOptions): string {
  const bind = o.host ? ` ${o.host}` : '';
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
    '# Devices (MQTT 3.1.1 / 5) and services.',
    `listener ${o.port}${bind}`,
    'protocol mqtt',
    '',
    ...(o.wsPort === undefined
      ? []
      : ['# Browsers and tools over WebSockets.', `listener ${o.wsPort}${bind}`, 'protocol websockets', '']),
    '# Lost devices: the last will is published after 1.5 x keepalive without traffic.',
    'max_keepalive 300',
    'max_packet_size 65536',
    '# The bridge must absorb bursts (a fleet reconnecting after an outage) without dropping QoS 1.',
    'max_queued_messages 100000',
    'max_inflight_messages 100',
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
