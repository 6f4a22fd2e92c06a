export * from './admin.ts';
export * from './bootstrap-config.ts';
export * from './conf-files.ts';
export * from './dynsec-model.ts';
export { dynsecPluginPath, runMosquitto } from './mosquitto.ts';
export * from './mosquitto-conf.ts';
export * from './roles.ts';
export * from './start.ts';
export * from './tls.ts';
