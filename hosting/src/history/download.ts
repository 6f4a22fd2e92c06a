import { readRuntimeConfig } from '../config.ts';
import { idToken } from '../session.ts';
import type { HistoryWindow } from './ranges.ts';
import { csvFileNameFor } from './series.ts';

// The CSV comes from the API (the same points as the chart, every number in full); fetched with the user's
// token and handed to the browser as a file.

export async function downloadCsv(deviceId: string, window: HistoryWindow): Promise<void> {
  const token = await idToken();
  const query = new URLSearchParams({
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    resolution: window.resolution,
  });
  const response = await fetch(
    `${readRuntimeConfig().apiBase}/devices/${encodeURIComponent(deviceId)}/history.csv?${query}`,
    { headers: token ? { authorization: `Bearer ${token}` } : {} },
  );
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = csvFileNameFor(deviceId, window.from, window.to);
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
