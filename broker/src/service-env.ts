import { BRIDGE_SHARE_GROUP } from './roles.ts';
import type { RunningBroker } from './start.ts';

// How the platform's services reach a running broker, in one place: the functions' environment (the relay's
// account, the admin URL provisioning uses, the URL devices are flashed with) and the bridge's connection.
// `npm start`, the test harness, the benches and the soak all build them here, so a new credential or listener
// is one edit.

/** mqtt://admin:password@host:port: the dynamic-security admin, always on the loopback plain listener. */
export function brokerAdminUrl(broker: RunningBroker): string {
  const admin = new URL(broker.url);
  admin.username = broker.adminCredentials.username;
  admin.password = broker.adminCredentials.password;
  return admin.toString();
}

/**
 * MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD, MQTT_CA_FILE, BROKER_ADMIN_URL, DEVICE_BROKER_URL for the functions.
 * `serviceUrl`: where services and devices connect (mqtts:// when TLS runs); default the plain listener.
 */
export function functionsBrokerEnv(
  broker: RunningBroker,
  serviceUrl: string = broker.url,
): Record<string, string> {
  const relay = broker.serviceCredentials.functionsRelay;
  return {
    MQTT_URL: serviceUrl,
    MQTT_USERNAME: relay.username,
    MQTT_PASSWORD: relay.password,
    ...(broker.tls && serviceUrl.startsWith('mqtts:') ? { MQTT_CA_FILE: broker.tls.caFile } : {}),
    BROKER_ADMIN_URL: brokerAdminUrl(broker),
    DEVICE_BROKER_URL: serviceUrl,
  };
}

export interface BridgeConnection {
  mqttUrl: string;
  username: string;
  password: string;
  clientId: string;
  protocolVersion: 4 | 5;
  /** '' where the broker has no shared subscriptions (the embedded one). */
  shareGroup: string;
  ca?: string;
}

/** The bridge's connection to `broker` (instance `account`: the first bridge account unless given). */
export function bridgeConnection(
  broker: RunningBroker,
  options: { serviceUrl?: string; account?: string } = {},
): BridgeConnection {
  const bridge = broker.serviceCredentials.bridge;
  const serviceUrl = options.serviceUrl ?? broker.url;
  return {
    mqttUrl: serviceUrl,
    username: options.account ?? bridge.username,
    password: bridge.password,
    clientId: options.account ?? bridge.clientId,
    protocolVersion: broker.mqttVersion,
    shareGroup: broker.sharedSubscriptions ? BRIDGE_SHARE_GROUP : '',
    ...(broker.tls && serviceUrl.startsWith('mqtts:') ? { ca: broker.tls.ca } : {}),
  };
}

/**
 * The same connection as environment variables, for a bridge run as its own process (bridge/src/main.ts reads
 * them with configFromEnv): `npm start`'s supervised backbone and the soak rig.
 */
export function bridgeProcessEnv(
  broker: RunningBroker,
  options: { serviceUrl?: string } = {},
): Record<string, string> {
  const connection = bridgeConnection(broker, options);
  return {
    MQTT_URL: connection.mqttUrl,
    ...(connection.ca && broker.tls ? { MQTT_CA_FILE: broker.tls.caFile } : {}),
    BRIDGE_MQTT_USERNAME: connection.username,
    BRIDGE_MQTT_PASSWORD: connection.password,
    BRIDGE_CLIENT_ID: connection.clientId,
    MQTT_PROTOCOL_VERSION: String(connection.protocolVersion),
    BRIDGE_SHARE_GROUP: connection.shareGroup,
  };
}
