import type { ClaimSettings } from '../claims/claim.ts';
import type { ReleaseSettings } from '../claims/release.ts';
import { config } from '../config.ts';

// The registry's settings as the functions read them from config.ts (the CLI builds its own from flags).

export const releaseSettings = (): ReleaseSettings => ({
  pepper: config.registry.claimCodePepper,
  appUrl: config.appUrl,
  deviceBrokerUrl: config.registry.deviceBrokerUrl,
});

export const claimSettings = (): ClaimSettings => ({
  pepper: config.registry.claimCodePepper,
  deviceBrokerUrl: config.registry.deviceBrokerUrl,
  perUser: {
    limit: config.registry.claimFailuresPerUser,
    windowSeconds: config.registry.claimFailureWindowSeconds,
  },
  perSerial: {
    limit: config.registry.claimFailuresPerSerial,
    windowSeconds: config.registry.claimFailureWindowSeconds,
  },
  perAddress: {
    limit: config.registry.claimFailuresPerAddress,
    windowSeconds: config.registry.claimFailureWindowSeconds,
  },
});

export const validateWindow = () => ({ limit: config.registry.validatePerIpPerMinute, windowSeconds: 60 });
