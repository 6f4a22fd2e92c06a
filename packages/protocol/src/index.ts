export * from './api.ts';
export * from './catalogue.ts';
export * from './command-lifecycle.ts';
export * from './firestore-paths.ts';
export * from './flash-config.ts';
export * from './payloads.ts';
export * from './serial.ts';
export * from './topics.ts';
