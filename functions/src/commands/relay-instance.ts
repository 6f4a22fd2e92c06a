import { config } from '../config.ts';
import { CommandRelay } from './relay.ts';

export { CommandRelay, RelayUnavailableError } from './relay.ts';

let relay: CommandRelay | null = null;

/** The instance-wide relay, created on first use from config.mqtt. */
export function commandRelay(): CommandRelay {
  relay ??= new CommandRelay(config.mqtt);
  return relay;
}
