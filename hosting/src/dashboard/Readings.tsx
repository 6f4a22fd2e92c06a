import { CATALOGUE } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { FormMessages } from '../components/FormMessages.tsx';
import { sendCommand } from '../devices/commands.ts';
import type { DeviceRecord } from '../devices/types.ts';
import { readingText } from '../i18n/format.ts';
import { t } from '../i18n/index.ts';
import { errorMessage } from '../lib/errors.ts';
import { readingLabel } from './labels.ts';

/** A sensor's latest readings (live) and, for those who may control it, "read now". */
export function Readings(props: { device: DeviceRecord; canControl: boolean }) {
  const { device } = props;
  const spec = CATALOGUE[device.type];
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  if (!spec.readings.length) return null;
  return (
    <section class="card" aria-labelledby="readings-title">
      <h2 id="readings-title">{t('readings.title')}</h2>
      <dl class="readings">
        {spec.readings.map((reading) => (
          <div key={reading.key} class="row" data-testid={`reading-${reading.key}`}>
            <dt>{readingLabel(reading)}</dt>
            <dd>{readingText(reading, device.state.readings[reading.key])}</dd>
          </div>
        ))}
      </dl>
      {props.canControl && spec.commands.read_now && (
        <button
          type="button"
          disabled={busy.value}
          onClick={async () => {
            busy.value = true;
            error.value = null;
            try {
              await sendCommand(device.deviceId, device.type, { command: 'read_now' });
            } catch (caught) {
              error.value = errorMessage(caught);
            } finally {
              busy.value = false;
            }
          }}
        >
          {t('readings.readNow')}
        </button>
      )}
      <FormMessages error={error.value} />
    </section>
  );
}
