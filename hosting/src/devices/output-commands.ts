import { COMMAND_ANSWER_DEADLINE_MS, type OutputSpec, type OutputValue } from '@esp32cloud/protocol';
import { type Signal, useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { errorMessage } from '../lib/errors.ts';
import { sendCommand, watchCommand } from './commands.ts';
import { commandForOutput } from './controls.ts';
import type { DeviceRecord } from './types.ts';

// The web app's one way to change a device's output: the device page's controls and the dashboard's quick
// controls both use it. An output is pending from the click until the device reports the value asked for:
// when it reported another value at the click, that report is the answer itself (it arrives through the
// device's listener, already open, often before the API has answered); when it already showed that value
// (a second click racing the first), the report proves nothing, so the command's ack (the command lifecycle
// in @esp32cloud/protocol, read through commandOutcome) is awaited too.

/** A command on its way: shown as pending until the device reports the new value (and acks, see above). */
export interface Pending {
  target: OutputValue;
  commandId?: string;
  acked: boolean;
  /** The device reported another value at the click, so reporting `target` means it obeyed. */
  awaitsChange: boolean;
}

export interface OutputCommands {
  pending: Signal<Record<string, Pending>>;
  error: Signal<string | null>;
  /** The reported value of an output, or its default. */
  reported(output: OutputSpec): OutputValue;
  set(output: OutputSpec, value: OutputValue): Promise<void>;
}

/** After an ack, how long the reported state may lag before the pending mark is dropped anyway. */
const REPORT_GRACE_MS = 5_000;

export function useOutputCommands(device: DeviceRecord): OutputCommands {
  const pending = useSignal<Record<string, Pending>>({});
  const error = useSignal<string | null>(null);
  // The device as last rendered: an ack that arrives after the device already reported the new value settles
  // at once. Marking it acked re-renders only the components that read `pending`, not this hook's owner, so
  // the effect below would not run again until the device's next report (the 5 s grace otherwise).
  const latest = useRef(device);
  latest.current = device;
  // Command listeners and timers still running; stopped when the view goes away.
  const cleanups = useRef(new Set<() => void>());
  useEffect(
    () => () => {
      for (const cleanup of cleanups.current) cleanup();
    },
    [],
  );

  // Drop a pending mark once the device reports the value asked for (and acked, when that report is no news).
  useEffect(() => {
    const current = pending.value;
    const settled = Object.entries(current).filter(
      ([key, p]) => (p.acked || p.awaitsChange) && device.state.outputs[key] === p.target,
    );
    if (settled.length) {
      const next = { ...current };
      for (const [key] of settled) delete next[key];
      pending.value = next;
    }
  });

  const clear = (key: string, commandId?: string) => {
    const p = pending.value[key];
    if (!p || (commandId && p.commandId !== commandId)) return;
    const next = { ...pending.value };
    delete next[key];
    pending.value = next;
  };

  async function set(output: OutputSpec, value: OutputValue) {
    error.value = null;
    const mark: Pending = {
      target: value,
      acked: false,
      awaitsChange: latest.current.state.outputs[output.key] !== value,
    };
    pending.value = { ...pending.value, [output.key]: mark };
    try {
      const commandId = await sendCommand(
        device.deviceId,
        device.type,
        commandForOutput(device.type, output, value),
      );
      // Settled by the device's report while the API answered, or overtaken by a newer click: nothing to follow.
      if (pending.value[output.key] !== mark) return;
      pending.value = { ...pending.value, [output.key]: { ...mark, commandId } };
      const stop = () => {
        unsubscribe();
        clearTimeout(timer);
        cleanups.current.delete(stop);
      };
      const timer = setTimeout(() => {
        stop();
        if (pending.value[output.key]?.commandId === commandId && !pending.value[output.key]?.acked) {
          error.value = t('control.noAnswer');
          clear(output.key, commandId);
        }
      }, COMMAND_ANSWER_DEADLINE_MS);
      const unsubscribe = watchCommand(device.deviceId, commandId, (command) => {
        if (command.outcome === 'acked') {
          stop();
          const p = pending.value[output.key];
          if (p?.commandId !== commandId) return;
          if (latest.current.state.outputs[output.key] === value) {
            clear(output.key, commandId);
            return;
          }
          pending.value = { ...pending.value, [output.key]: { ...p, acked: true } };
          setTimeout(() => clear(output.key, commandId), REPORT_GRACE_MS);
        } else if (command.outcome === 'timed_out') {
          stop();
          error.value = t('control.noAnswer');
          clear(output.key, commandId);
        } else if (command.outcome === 'failed') {
          stop();
          error.value = command.error
            ? t('control.failedWith', { reason: command.error })
            : t('control.failed');
          clear(output.key, commandId);
        }
      });
      cleanups.current.add(stop);
    } catch (caught) {
      error.value = errorMessage(caught);
      if (pending.value[output.key] === mark) clear(output.key);
    }
  }

  const reported = (output: OutputSpec): OutputValue => device.state.outputs[output.key] ?? output.default;
  return { pending, error, reported, set };
}
