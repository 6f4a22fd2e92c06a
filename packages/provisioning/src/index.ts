export * from './bytes.ts';
export * from './ciphers.ts';
export * from './client.ts';
export * from './endpoints.ts';
export * from './messages.ts';
export * from './responder.ts';
export * from './security.ts';
export * from './srp6a.ts';
