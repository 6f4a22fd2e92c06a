import { type ListenerConf, renderMosquittoConf } from './mosquitto-conf.ts';

// The committed configuration files, as rendered text; broker/test checks the files match, so they never
// drift from what startBroker() runs. The abuse suite starts Mosquitto with productionConf() on free ports.

export interface ProductionConfOptions {
  /** Plain MQTT on loopback only, for a bridge sharing the broker's network (and the healthcheck). */
  localPort: number;
  /** MQTT over TLS, every interface. */
  tlsPort: number;
  /** MQTT over secure WebSockets, every interface. */
  wssPort: number;
  certDir: string;
  dataDir: string;
  pluginPath: string;
  user?: string;
}

export const PRODUCTION: ProductionConfOptions = {
  localPort: 1883,
  tlsPort: 8883,
  wssPort: 443,
  certDir: '/mosquitto/certs',
  dataDir: '/mosquitto/data',
  pluginPath: '/usr/lib/mosquitto_dynamic_security.so',
};

/** broker/config/mosquitto.conf: production, inside the eclipse-mosquitto:2 container (deploy/compose.yaml). */
export function productionConf(options: ProductionConfOptions = PRODUCTION): string {
  const tls = {
    caFile: `${options.certDir}/ca.crt`,
    certFile: `${options.certDir}/server.crt`,
    keyFile: `${options.certDir}/server.key`,
  };
  const listeners: ListenerConf[] = [
    {
      comment: 'Plain MQTT for a co-located bridge and the healthcheck: loopback only, never published.',
      port: options.localPort,
      host: '127.0.0.1',
      protocol: 'mqtt',
    },
    { comment: 'Devices and services: MQTT over TLS only.', port: options.tlsPort, protocol: 'mqtt', tls },
    {
      comment: 'Browsers and tools: MQTT over secure WebSockets only.',
      port: options.wssPort,
      protocol: 'websockets',
      tls,
    },
  ];
  return renderMosquittoConf({
    listeners,
    dataDir: options.dataDir,
    dynsecFile: `${options.dataDir}/dynamic-security.json`,
    pluginPath: options.pluginPath,
    user: options.user,
  });
}

/** broker/config/mosquitto.dev.conf: a Debian/Ubuntu mosquitto on this machine, `mosquitto -c` by hand. */
export function developmentConf(): string {
  return renderMosquittoConf({
    listeners: [
      {
        comment: 'Devices (MQTT 3.1.1 / 5) and services, this machine only.',
        port: 1883,
        host: '127.0.0.1',
        protocol: 'mqtt',
      },
      {
        comment: 'Browsers and tools over WebSockets, this machine only.',
        port: 8083,
        host: '127.0.0.1',
        protocol: 'websockets',
      },
    ],
    dataDir: '.data/broker',
    dynsecFile: '.data/broker/dynamic-security.json',
    pluginPath: '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  });
}
