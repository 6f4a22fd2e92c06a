import { Router } from '../http/router.ts';
import { registerHealthRoutes } from './health.ts';
import { registerMeRoutes } from './me.ts';

// Every route module of the API, registered once each.
export function createRouter(): Router {
  const router = new Router();
  registerHealthRoutes(router);
  registerMeRoutes(router);
  return router;
}
