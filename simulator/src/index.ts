export * from './device.ts';
export * from './fleet.ts';
export * from './garbage.ts';
export * from './provisioning/index.ts';
export * from './readings.ts';
