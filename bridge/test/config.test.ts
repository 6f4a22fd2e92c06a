import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../src/config.ts';

describe('bridge configuration from the environment', () => {
  it('joins the "bridge" share group unless told otherwise', () => {
    expect(configFromEnv({}).shareGroup).toBe('bridge');
    expect(configFromEnv({ BRIDGE_SHARE_GROUP: 'fleet-a' }).shareGroup).toBe('fleet-a');
  });

  it('subscribes plainly when BRIDGE_SHARE_GROUP is set but empty (a broker without shared subscriptions)', () => {
    // npm start and the soak rig pass '' for the embedded broker; reading it as "unset" made the bridge ask
    // for $share/… subscriptions that broker refuses, and it never became ready.
    expect(configFromEnv({ BRIDGE_SHARE_GROUP: '' }).shareGroup).toBe('');
  });
});
