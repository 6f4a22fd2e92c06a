import { z } from 'zod';

/**
 * For code running under a strict Content-Security-Policy (the web app: no 'unsafe-eval', docs/SECURITY.md
 * "Hosting headers"). zod compiles fast object parsers with `new Function`, and even its probe for whether it
 * may is reported as a `securitypolicyviolation`; jitless mode skips both. Call before anything is parsed.
 */
export function validateWithoutEval(): void {
  z.config({ jitless: true });
}
