export * from './bridge.ts';
export * from './config.ts';
export * from './device-directory.ts';
export * from './ingest.ts';
export * from './usage.ts';
