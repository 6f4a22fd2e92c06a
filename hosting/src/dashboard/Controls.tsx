import {
  CATALOGUE,
  COMMAND_ANSWER_DEADLINE_MS,
  type OutputSpec,
  type OutputValue,
} from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { sendCommand, watchCommand } from '../devices/commands.ts';
import { commandForOutput } from '../devices/controls.ts';
import type { DeviceRecord } from '../devices/types.ts';
import { t } from '../i18n/index.ts';
import { errorMessage } from '../lib/errors.ts';
import { outputLabel } from './labels.ts';

/** A command on its way: shown as pending until the device acknowledges and reports the new value. */
interface Pending {
  target: OutputValue;
  commandId?: string;
  acked: boolean;
}

/** After an ack, how long the reported state may lag before the pending mark is dropped anyway. */
const REPORT_GRACE_MS = 5_000;

export function Controls(props: { device: DeviceRecord }) {
  const { device } = props;
  const spec = CATALOGUE[device.type];
  const pending = useSignal<Record<string, Pending>>({});
  const error = useSignal<string | null>(null);
  // Command listeners and timers still running; stopped when the view goes away.
  const cleanups = useRef(new Set<() => void>());
  useEffect(
    () => () => {
      for (const cleanup of cleanups.current) cleanup();
    },
    [],
  );

  const reported = (output: OutputSpec): OutputValue => device.state.outputs[output.key] ?? output.default;

  // Drop a pending mark once the device acked and reports the value asked for.
  useEffect(() => {
    const current = pending.value;
    const settled = Object.entries(current).filter(
      ([key, p]) => p.acked && device.state.outputs[key] === p.target,
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
    pending.value = { ...pending.value, [output.key]: { target: value, acked: false } };
    try {
      const commandId = await sendCommand(
        device.deviceId,
        device.type,
        commandForOutput(device.type, output, value),
      );
      pending.value = { ...pending.value, [output.key]: { target: value, commandId, acked: false } };
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
          if (p?.commandId === commandId)
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
      clear(output.key);
    }
  }

  if (!spec.outputs.length) return null;
  return (
    <section class="card" aria-labelledby="controls-title">
      <h2 id="controls-title">{t('control.title')}</h2>
      {!device.state.online && <p class="hint">{t('control.offlineHint')}</p>}
      <div class="controls">
        {spec.outputs.map((output) => {
          const p = pending.value[output.key];
          const value = reported(output);
          const label = outputLabel(output);
          if (output.kind === 'switch') {
            const on = value === true;
            return (
              <button
                key={output.key}
                type="button"
                class="toggle"
                aria-pressed={on}
                aria-busy={p ? 'true' : undefined}
                data-testid={`output-${output.key}`}
                data-pending={p ? 'true' : 'false'}
                data-command-id={p?.commandId}
                disabled={Boolean(p)}
                onClick={() => set(output, !on)}
              >
                {label}:{' '}
                {p
                  ? p.target
                    ? t('control.turningOn')
                    : t('control.turningOff')
                  : on
                    ? t('control.on')
                    : t('control.off')}
              </button>
            );
          }
          if (output.kind === 'level') {
            return (
              <label key={output.key} style={{ gridColumn: '1 / -1' }}>
                {label}: {p ? `${String(p.target)} ${t('control.pending')}` : String(value)}
                <input
                  type="range"
                  min={output.min ?? 0}
                  max={output.max ?? 100}
                  value={Number(p ? p.target : value)}
                  data-testid={`output-${output.key}`}
                  data-pending={p ? 'true' : 'false'}
                  onChange={(e) => set(output, Number(e.currentTarget.value))}
                />
              </label>
            );
          }
          return (
            <label key={output.key}>
              {label} {p && t('control.pending')}
              <input
                type="color"
                value={String(p ? p.target : value)}
                data-testid={`output-${output.key}`}
                data-pending={p ? 'true' : 'false'}
                onChange={(e) => set(output, e.currentTarget.value)}
              />
            </label>
          );
        })}
      </div>
      <FormMessages error={error.value} />
    </section>
  );
}
