// Log lines of the simulated provisioning (JSON on stderr like the rest of the simulator). The network name
// may appear; the Wi-Fi password never does.

function line(level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void {
  if (process.env.SIMULATOR_LOG === 'silent') return;
  process.stderr.write(
    `${JSON.stringify({ level, component: 'simulator.provisioning', message, ...fields })}\n`,
  );
}

export const provisioningLogs = {
  advertising(deviceId: string, security: number): void {
    line('info', 'advertising Wi-Fi setup over Bluetooth', { deviceId, security });
  },
  joined(deviceId: string, ssid: string): void {
    line('info', 'joined Wi-Fi', { deviceId, ssid });
  },
  joinFailed(deviceId: string, ssid: string, reason: string): void {
    line('warn', 'could not join Wi-Fi', { deviceId, ssid, reason });
  },
};
