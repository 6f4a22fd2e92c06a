import { type AlertRuleDoc, alertConditionSchema, COLLECTIONS } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { bridgeLogs } from '../logs.ts';

// Every enabled alert rule, by device, kept current by one Firestore listener: evaluating a message costs no
// read, and a rule made in the app is live within a second. A rule whose condition does not parse (written by
// an older API) is skipped, not fatal.

export class RuleCache {
  private readonly byDevice = new Map<string, AlertRuleDoc[]>();
  private unsubscribe: (() => void) | null = null;
  private readyPromise: Promise<void> | null = null;
  private readonly listeners: ((deviceId: string, rules: AlertRuleDoc[]) => void)[] = [];

  constructor(private readonly db: Firestore) {}

  /** Resolves after the first snapshot. */
  start(): Promise<void> {
    this.readyPromise ??= new Promise<void>((resolve) => {
      this.unsubscribe = this.db
        .collection(COLLECTIONS.alertRules)
        .where('enabled', '==', true)
        .onSnapshot(
          (snapshot) => {
            const changed = new Set<string>();
            for (const change of snapshot.docChanges()) {
              const before = change.oldIndex >= 0 ? (change.doc.get('device_id') as string) : null;
              if (before) changed.add(before);
              changed.add(change.doc.get('device_id') as string);
            }
            this.byDevice.clear();
            for (const doc of snapshot.docs) {
              const rule = doc.data() as AlertRuleDoc;
              if (!alertConditionSchema.safeParse(rule.condition).success) continue;
              const list = this.byDevice.get(rule.device_id) ?? [];
              list.push(rule);
              this.byDevice.set(rule.device_id, list);
            }
            for (const deviceId of changed)
              for (const l of this.listeners) l(deviceId, this.rulesFor(deviceId));
            resolve();
          },
          (error) => {
            bridgeLogs.alertRulesListenerFailed(error);
            resolve();
          },
        );
    });
    return this.readyPromise;
  }

  /** Called with a device's new rule list whenever one of its rules is added, changed or removed. */
  onChange(listener: (deviceId: string, rules: AlertRuleDoc[]) => void): void {
    this.listeners.push(listener);
  }

  rulesFor(deviceId: string): AlertRuleDoc[] {
    return this.byDevice.get(deviceId) ?? [];
  }

  devices(): string[] {
    return [...this.byDevice.keys()];
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
