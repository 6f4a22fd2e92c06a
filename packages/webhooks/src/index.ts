export * from './deliver.ts';
export * from './signature.ts';
