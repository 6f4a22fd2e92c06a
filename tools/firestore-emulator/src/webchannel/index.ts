import { httpHandlers } from '../http.ts';
import type { FirestoreService } from '../service.ts';
import type { WebChannelOptions } from './config.ts';
import { createWebChannelHandler, type WebChannelHandler } from './handler.ts';
import { handleRestRequest } from './rest.ts';
import { serviceBackend } from './service-backend.ts';

// Importing this module plugs the browser transports into the emulator's HTTP/1.1 side: WebChannel for the
// Listen and Write streams (every emulator instance, one FirestoreService each, gets its own session registry
// on first use) and the REST calls the web SDK makes for transactions and aggregations.

export type { WebChannelBackend } from './backend.ts';
export type { WebChannelOptions } from './config.ts';
export { createWebChannelHandler, type WebChannelHandler } from './handler.ts';
export { serviceBackend } from './service-backend.ts';

const handlers = new WeakMap<FirestoreService, WebChannelHandler>();
const optionsByService = new WeakMap<FirestoreService, Partial<WebChannelOptions>>();

/** Options for one emulator's browser sessions (debug logging, keep-alive…), e.g. configureWebChannel(emulator.service, { debug: true }). */
export function configureWebChannel(service: FirestoreService, options: Partial<WebChannelOptions>): void {
  optionsByService.set(service, { ...optionsByService.get(service), ...options });
  const handler = handlers.get(service);
  if (handler) Object.assign(handler.options, options);
}

/** The live WebChannel handler of an emulator (created on first use). */
export function webChannelHandler(service: FirestoreService): WebChannelHandler {
  let handler = handlers.get(service);
  if (!handler) {
    handler = createWebChannelHandler(serviceBackend(service), optionsByService.get(service) ?? {});
    handlers.set(service, handler);
  }
  return handler;
}

httpHandlers.push(
  (request, response, service) =>
    webChannelHandler(service).handle(request, response) || handleRestRequest(request, response, service),
);
