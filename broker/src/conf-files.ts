import { renderMosquittoConf } from './mosquitto-conf.ts';

// The committed configuration files, as rendered text; broker/test checks the files match, so they never
// drift from what startBroker() runs.

/** broker/config/mosquitto.conf: production, inside the eclipse-mosquitto:2 container (deploy/compose.yaml). */
export function productionConf(): string {
  return renderMosquittoConf({
    port: 1883,
    wsPort: 8083,
    dataDir: '/mosquitto/data',
    dynsecFile: '/mosquitto/data/dynamic-security.json',
    pluginPath: '/usr/lib/mosquitto_dynamic_security.so',
  });
}

/** broker/config/mosquitto.dev.conf: a Debian/Ubuntu mosquitto on this machine, `mosquitto -c` by hand. */
export function developmentConf(): string {
  return renderMosquittoConf({
    host: '127.0.0.1',
    port: 1883,
    wsPort: 8083,
    dataDir: '.data/broker',
    dynsecFile: '.data/broker/dynamic-security.json',
    pluginPath: '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  });
}
