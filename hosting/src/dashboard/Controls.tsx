import { CATALOGUE } from '@esp32cloud/protocol';
import { FormMessages } from '../components/FormMessages.tsx';
import { useOutputCommands } from '../devices/output-commands.ts';
import type { DeviceRecord } from '../devices/types.ts';
import { t } from '../i18n/index.ts';
import { OutputControl } from './OutputControl.tsx';

/** The device page's controls: every output of the type. */
export function Controls(props: { device: DeviceRecord }) {
  const { device } = props;
  const spec = CATALOGUE[device.type];
  const commands = useOutputCommands(device);
  if (!spec.outputs.length) return null;
  return (
    <section class="card" aria-labelledby="controls-title">
      <h2 id="controls-title">{t('control.title')}</h2>
      {!device.state.online && <p class="hint">{t('control.offlineHint')}</p>}
      <div class="controls">
        {spec.outputs.map((output) => (
          <OutputControl
            key={output.key}
            output={output}
            commands={commands}
            testId={`output-${output.key}`}
          />
        ))}
      </div>
      <FormMessages error={commands.error.value} />
    </section>
  );
}
