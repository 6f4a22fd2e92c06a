import { onRequest } from 'firebase-functions/v2/https';
export const api = onRequest({ region: 'asia-southeast1' }, (req, res) => { res.json({ ok: true, path: req.path }); });
