import {
  type AlertRuleDoc,
  type AlertStateDoc,
  alertConditionSchema,
  COLLECTIONS,
} from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { bridgeLogs } from '../logs.ts';

// Every enabled alert rule, by device, kept current by one Firestore listener: evaluating a message costs no
// read, and a rule made in the app is live within a second. A rule whose condition does not parse (written by
// an older API) is skipped, not fatal. A second listener keeps every rule's episode state (alert_state, one
// document per rule that ever fired), so an instance that did not see an episode start still knows it is on:
// with a shared subscription the message that ends an episode may reach another bridge than the one that
// started it.

export class RuleCache {
  private readonly byDevice = new Map<string, AlertRuleDoc[]>();
  private unsubscribe: (() => void) | null = null;
  private unsubscribeStates: (() => void) | null = null;
  private readonly states = new Map<string, AlertStateDoc>();
  private readyPromise: Promise<void> | null = null;
  private readonly listeners: ((deviceId: string, rules: AlertRuleDoc[]) => void)[] = [];

  constructor(private readonly db: Firestore) {}

  /** Resolves after the first snapshot. */
  start(): Promise<void> {
    this.unsubscribeStates ??= this.db.collection(COLLECTIONS.alertState).onSnapshot(
      (snapshot) => {
        for (const change of snapshot.docChanges()) {
          if (change.type === 'removed') this.states.delete(change.doc.id);
          else this.states.set(change.doc.id, change.doc.data() as AlertStateDoc);
        }
      },
      (error) => bridgeLogs.alertRulesListenerFailed(error),
    );
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

  /** The rule's episode state as last seen (null: it never had one). */
  stateOf(ruleId: string): AlertStateDoc | null {
    return this.states.get(ruleId) ?? null;
  }

  devices(): string[] {
    return [...this.byDevice.keys()];
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.unsubscribeStates?.();
    this.unsubscribeStates = null;
  }
}
