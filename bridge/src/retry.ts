// Firestore writes are retried on transient failures (the backend briefly unavailable, contention), so a
// blip does not lose a device's state change; a permanent failure (e.g. the device document was deleted) is
// not retried. The per-device queue waits meanwhile, keeping that device's writes in order.

const TRANSIENT = new Set([4, 8, 10, 13, 14]); // DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE

export async function withRetry<T>(
  operation: () => Promise<T>,
  delaysMs: readonly number[] = [100, 500, 2000],
) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= delaysMs.length || typeof code !== 'number' || !TRANSIENT.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delaysMs[attempt]));
    }
  }
}
