import { onRequest } from 'firebase-functions/v2/https';
import { config } from './config.ts';
import { createRouter } from './routes/index.ts';

// Wiring only: which triggers exist. Behaviour lives in routes/ and the modules they call.

const router = createRouter();

export const api = onRequest({ region: config.region, cors: true }, (req, res) => router.handle(req, res));
