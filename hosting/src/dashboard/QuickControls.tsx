import { CATALOGUE } from '@esp32cloud/protocol';
import { useOutputCommands } from '../devices/output-commands.ts';
import type { DeviceRecord } from '../devices/types.ts';
import { OutputControl } from './OutputControl.tsx';

/**
 * A card's main controls: its switches (the relays, the LED's power) and a level (the LED's brightness), with
 * the device page's pending → acknowledged states (the same useOutputCommands and OutputControl). The colour
 * stays on the device page.
 */
export function QuickControls(props: { device: DeviceRecord; name: string }) {
  const { device } = props;
  const commands = useOutputCommands(device);
  const outputs = CATALOGUE[device.type].outputs.filter((o) => o.kind !== 'color');
  const error = commands.error.value;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a labelled group of controls, not a form
    <div class="quick-controls" role="group" aria-label={props.name}>
      {outputs.map((output) => (
        <OutputControl
          key={output.key}
          output={output}
          commands={commands}
          testId={`quick-${device.deviceId}-${output.key}`}
        />
      ))}
      {error && (
        <p class="error quick-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
