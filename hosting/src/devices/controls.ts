import type { DeviceType, OutputSpec, OutputValue } from '@esp32cloud/protocol';
import type { CommandBody } from './commands.ts';

/** The control command that sets one output of a device to a value (per the catalogue's commands). */
export function commandForOutput(type: DeviceType, output: OutputSpec, value: OutputValue): CommandBody {
  if (type === '4Relay') {
    const relay = Number(output.key.replace(/^relay/, ''));
    return { command: 'relay', relay, state: value ? 'on' : 'off' };
  }
  if (type === 'LED') {
    if (output.key === 'power') return { command: 'led', state: value ? 'on' : 'off' };
    if (output.key === 'brightness') return { command: 'led', brightness: Number(value) };
    if (output.key === 'color') return { command: 'led', color: String(value) };
  }
  throw new Error(`${type} has no control for ${output.key}`);
}
