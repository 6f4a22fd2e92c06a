import type { AlertRuleDoc, OutputValue, StatusPayload } from '@esp32cloud/protocol';
import {
  dueStep,
  stepThreshold,
  type ThresholdCondition,
  type ThresholdTracker,
} from '../alerts/conditions.ts';
import { type AlertDoc, fireEpisode, resolveEpisode } from '../alerts/episodes.ts';
import { RuleCache } from '../alerts/rule-cache.ts';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import type { DeviceEntry } from '../device-directory.ts';
import { bridgeLogs } from '../logs.ts';

// Alert evaluation (docs/ALERTS.md): the rules of every device, cached through a Firestore listener, are
// evaluated against what the event bus reports — accepted statuses (readings, outputs), presence changes from
// the offline detection, and silence (no_data timers). Evaluation itself is in memory and costs no Firestore
// operation; only the moment a condition starts or ends runs a transaction (episodes.ts), which is also
// what keeps several bridge instances from firing one episode twice.

interface RuleRuntime {
  rule: AlertRuleDoc;
  serial: string | null;
  threshold: ThresholdTracker;
  timer: NodeJS.Timeout | null;
  /** offline/no_data: this instance fired (or learned the episode is on) and waits for the end. */
  latched: boolean;
  /** The last transaction asked for, so a burst of messages before the state listener catches up asks once. */
  lastRequest: { what: 'fire' | 'resolve'; at: number; stateAt: string | null } | null;
}

/** How long an identical request (fire or resolve of one rule) is not repeated while its outcome propagates. */
const REQUEST_QUIET_MS = 3000;

const conditionKey = (rule: AlertRuleDoc) => JSON.stringify([rule.condition, rule.severity, rule.owner_uid]);

export function alertEvaluation(ctx: BridgeContext): BridgeFeature {
  const cache = new RuleCache(ctx.db);
  const runtimes = new Map<string, RuleRuntime>();
  const keys = new Map<string, string>();
  const previousOutputs = new WeakMap<DeviceEntry, Record<string, OutputValue>>();
  const msPerMinute = 60 * ctx.config.msPerSecond;
  let stopped = false;

  const runtimeOf = (rule: AlertRuleDoc): RuleRuntime => {
    let runtime = runtimes.get(rule.rule_id);
    if (!runtime || keys.get(rule.rule_id) !== conditionKey(rule)) {
      if (runtime?.timer) clearTimeout(runtime.timer);
      runtime = {
        rule,
        serial: runtime?.serial ?? null,
        threshold: { phase: 'idle', since: 0 },
        timer: null,
        latched: false,
        lastRequest: null,
      };
      runtimes.set(rule.rule_id, runtime);
      keys.set(rule.rule_id, conditionKey(rule));
    }
    runtime.rule = rule;
    return runtime;
  };

  const schedule = (runtime: RuleRuntime, delayMs: number, task: () => void) => {
    if (runtime.timer) clearTimeout(runtime.timer);
    runtime.timer = setTimeout(
      () => {
        runtime.timer = null;
        if (!stopped) task();
      },
      Math.max(0, delayMs),
    );
    runtime.timer.unref?.();
  };
  const cancel = (runtime: RuleRuntime) => {
    if (runtime.timer) clearTimeout(runtime.timer);
    runtime.timer = null;
  };

  const run = (runtime: RuleRuntime, work: () => Promise<AlertDoc | null>, what: 'fire' | 'resolve') => {
    const now = ctx.now();
    const stateAt = cache.stateOf(runtime.rule.rule_id)?.changed_at ?? null;
    const last = runtime.lastRequest;
    if (last && last.what === what && last.stateAt === stateAt && now - last.at < REQUEST_QUIET_MS) return;
    runtime.lastRequest = { what, at: now, stateAt };
    const task = async () => {
      if (stopped) return;
      try {
        const alert = await work();
        if (!alert) return;
        ctx.stats.alertEpisodes++;
        if (what === 'fire')
          bridgeLogs.alertFired(
            runtime.rule.rule_id,
            runtime.rule.device_id,
            alert.alert_id,
            alert.recipients.length,
          );
        else bridgeLogs.alertResolved(runtime.rule.rule_id, runtime.rule.device_id, alert.alert_id);
      } catch (error) {
        bridgeLogs.alertEvaluationFailed(runtime.rule.rule_id, error);
      }
    };
    // On the device's queue, so a fire and its resolve keep their order with the device's own writes.
    ctx.enqueue(runtime.serial ?? `rule:${runtime.rule.rule_id}`, task);
  };
  const fire = (runtime: RuleRuntime, value?: OutputValue, trackValue = false) =>
    run(
      runtime,
      () => fireEpisode(ctx.db, { rule: runtime.rule, value, now: ctx.now(), trackValue }),
      'fire',
    );
  const resolve = (runtime: RuleRuntime, arm = false) =>
    run(runtime, () => resolveEpisode(ctx.db, runtime.rule, ctx.now(), arm), 'resolve');
  const activeInFirestore = (rule: AlertRuleDoc) => cache.stateOf(rule.rule_id)?.active === true;

  const armNoData = (runtime: RuleRuntime, from: number) => {
    const c = runtime.rule.condition;
    if (c.kind !== 'no_data') return;
    schedule(runtime, from + c.minutes * msPerMinute - ctx.now(), () => {
      runtime.latched = true;
      fire(runtime);
    });
  };

  const onThreshold = (runtime: RuleRuntime, value: number, now: number) => {
    const c = runtime.rule.condition as ThresholdCondition;
    // Another instance may have started or ended the episode: follow the shared state before stepping.
    const active = activeInFirestore(runtime.rule);
    if (active && runtime.threshold.phase !== 'firing') {
      cancel(runtime);
      runtime.threshold.phase = 'firing';
    } else if (!active && runtime.threshold.phase === 'firing' && cache.stateOf(runtime.rule.rule_id)) {
      runtime.threshold.phase = 'idle';
    }
    const step = stepThreshold(c, runtime.threshold, value, now, msPerMinute);
    if (step === 'fire') {
      cancel(runtime);
      fire(runtime, value);
    } else if (step === 'resolve') resolve(runtime);
    else if (step === 'cancel') cancel(runtime);
    else if (step === 'pending' && !runtime.timer) {
      // Fire on time even if the device reports rarely: a timer at the end of the holding time.
      schedule(runtime, runtime.threshold.since + c.minutes * msPerMinute - now, () => {
        if (dueStep(c, runtime.threshold, ctx.now(), msPerMinute) === 'fire') fire(runtime, value);
      });
    }
  };

  const onOutput = (runtime: RuleRuntime, before: OutputValue | undefined, after: OutputValue) => {
    const c = runtime.rule.condition;
    if (c.kind !== 'output_changed' || before === after) return;
    if (c.to === undefined) fire(runtime, after, true);
    else if (after === c.to) fire(runtime, after);
    else if (before === c.to) resolve(runtime);
  };

  /** A bug in alert evaluation must never fail the device's message: listeners are fenced. */
  const fenced =
    <A extends unknown[]>(handler: (...args: A) => void) =>
    (...args: A) => {
      try {
        handler(...args);
      } catch (error) {
        bridgeLogs.alertEvaluationFailed('-', error);
      }
    };

  listen();

  return {
    start() {
      cache.onChange((deviceId, rules) => {
        const live = new Set(rules.map((r) => r.rule_id));
        for (const [ruleId, runtime] of runtimes) {
          if (runtime.rule.device_id === deviceId && !live.has(ruleId)) {
            cancel(runtime);
            runtimes.delete(ruleId);
            keys.delete(ruleId);
          }
        }
        for (const rule of rules) {
          const runtime = runtimeOf(rule);
          if (rule.condition.kind === 'no_data' && !runtime.timer && !runtime.latched)
            armNoData(runtime, ctx.now());
        }
      });
      void cache.start();
    },
    stop() {
      stopped = true;
      cache.stop();
      for (const runtime of runtimes.values()) cancel(runtime);
    },
  };

  function listen(): void {
    ctx.events.on(
      'deviceMessage',
      fenced((entry, kind) => {
        if (
          kind === 'status' &&
          cache.rulesFor(entry.deviceId).some((r) => r.condition.kind === 'output_changed')
        )
          previousOutputs.set(entry, { ...entry.written.outputs });
      }),
    );

    ctx.events.on(
      'messageAccepted',
      fenced((entry, kind, envelope, now) => {
        const rules = cache.rulesFor(entry.deviceId);
        if (rules.length === 0) return;
        const status = kind === 'status' ? (envelope as StatusPayload) : null;
        // Anything but a last will says the device is there.
        const present = status === null || status.online;
        const before = previousOutputs.get(entry);
        for (const rule of rules) {
          const runtime = runtimeOf(rule);
          runtime.serial = entry.serial;
          const c = rule.condition;
          if (c.kind === 'no_data') {
            if (runtime.latched || activeInFirestore(rule)) {
              runtime.latched = false;
              resolve(runtime);
            }
            armNoData(runtime, now);
          } else if (c.kind === 'offline' && present && (runtime.latched || activeInFirestore(rule))) {
            // The offline detection of the instance that saw the drop may not see the return: any message does.
            cancel(runtime);
            runtime.latched = false;
            resolve(runtime);
          } else if (c.kind === 'back_online' && present && cache.stateOf(rule.rule_id)?.active === false) {
            fire(runtime);
          } else if (c.kind === 'threshold' && status?.online && status.readings?.[c.reading] !== undefined) {
            onThreshold(runtime, status.readings[c.reading], now);
          } else if (
            c.kind === 'output_changed' &&
            status?.online &&
            status.outputs?.[c.output] !== undefined
          ) {
            onOutput(runtime, before?.[c.output], status.outputs[c.output]);
          }
        }
        if (before && status?.outputs) previousOutputs.set(entry, { ...before, ...status.outputs });
      }),
    );

    ctx.events.on(
      'presenceChanged',
      fenced((entry, online, previous, now) => {
        for (const rule of cache.rulesFor(entry.deviceId)) {
          const runtime = runtimeOf(rule);
          runtime.serial = entry.serial;
          const c = rule.condition;
          if (c.kind === 'offline') {
            if (online) {
              cancel(runtime);
              runtime.latched = false;
              // Also after a restart, when this instance never saw the episode start: the transaction knows.
              if (previous === false) resolve(runtime);
            } else {
              schedule(runtime, c.minutes * msPerMinute - (ctx.now() - now), () => {
                if (entry.written.online === true) return;
                runtime.latched = true;
                fire(runtime);
              });
            }
          } else if (c.kind === 'back_online') {
            if (online && previous === false) fire(runtime);
            else if (!online) resolve(runtime, true);
          }
        }
      }),
    );
  }
}
