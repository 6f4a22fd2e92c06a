export * from './bridge.ts';
export * from './config.ts';
export type { IngestStats } from './context.ts';
