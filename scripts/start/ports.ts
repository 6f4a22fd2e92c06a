import { portInUse } from '@esp32cloud/tests/harness/ports';
import type { PortSetting } from './config.ts';

export async function findBusyPorts(settings: PortSetting[]): Promise<PortSetting[]> {
  const busy: PortSetting[] = [];
  for (const setting of settings) if (await portInUse(setting.port)) busy.push(setting);
  return busy;
}
