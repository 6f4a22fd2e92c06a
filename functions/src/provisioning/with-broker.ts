import { config } from '../config.ts';
import { unavailable } from '../http/errors.ts';
import { type BrokerAdmin, openBrokerAdmin } from './broker.ts';

/** Runs `work` with a broker admin connection when BROKER_ADMIN_URL is configured, else with null. */
export async function withBroker<T>(work: (broker: BrokerAdmin | null) => Promise<T>): Promise<T> {
  if (!config.registry.brokerAdminUrl) return work(null);
  const broker = await openBrokerAdmin(config.registry.brokerAdminUrl).catch((error: unknown) => {
    throw unavailable(`The MQTT broker's admin interface is unreachable: ${(error as Error).message}`);
  });
  try {
    return await work(broker);
  } finally {
    await broker.close().catch(() => undefined);
  }
}
