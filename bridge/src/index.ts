export * from './bridge.ts';
export * from './config.ts';
export * from './device-directory.ts';
export * from './features/usage.ts';
export * from './ingest.ts';
