import type { PlanLimitDetails } from '@esp32cloud/protocol';
import { signal } from '@preact/signals';

/**
 * The last plan_limit the API answered (any call: claiming, sharing, alert rules, history, control). The shell
 * shows the upgrade prompt (account/UpgradePrompt.tsx, its own chunk) while it is set; leaving the page or
 * dismissing clears it.
 */
export const planLimitHit = signal<PlanLimitDetails | null>(null);
