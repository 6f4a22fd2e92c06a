export * from './catalogue.ts';
export * from './flash-config.ts';
export * from './payloads.ts';
export * from './topics.ts';
