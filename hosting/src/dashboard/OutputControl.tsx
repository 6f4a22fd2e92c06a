import type { OutputSpec } from '@esp32cloud/protocol';
import type { OutputCommands } from '../devices/output-commands.ts';
import { t } from '../i18n/index.ts';
import { outputLabel } from './labels.ts';

/**
 * One output's control (switch → toggle button with aria-pressed, level → range, colour → colour input), the
 * same on the device page and on a dashboard card. `testId` names it for tests.
 */
export function OutputControl(props: { output: OutputSpec; commands: OutputCommands; testId: string }) {
  const { output, commands, testId } = props;
  const p = commands.pending.value[output.key];
  const value = commands.reported(output);
  const label = outputLabel(output);
  if (output.kind === 'switch') {
    const on = value === true;
    return (
      <button
        type="button"
        class="toggle"
        aria-pressed={on}
        aria-busy={p ? 'true' : undefined}
        data-testid={testId}
        data-pending={p ? 'true' : 'false'}
        data-command-id={p?.commandId}
        disabled={Boolean(p)}
        onClick={() => commands.set(output, !on)}
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
      <label class="level">
        {label}: {p ? `${String(p.target)} ${t('control.pending')}` : String(value)}
        <input
          type="range"
          min={output.min ?? 0}
          max={output.max ?? 100}
          value={Number(p ? p.target : value)}
          data-testid={testId}
          data-pending={p ? 'true' : 'false'}
          onChange={(e) => commands.set(output, Number(e.currentTarget.value))}
        />
      </label>
    );
  }
  return (
    <label>
      {label} {p && t('control.pending')}
      <input
        type="color"
        value={String(p ? p.target : value)}
        data-testid={testId}
        data-pending={p ? 'true' : 'false'}
        onChange={(e) => commands.set(output, e.currentTarget.value)}
      />
    </label>
  );
}
