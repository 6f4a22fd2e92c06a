// The one error shape of the API: {"error":{"code","message"}} with the matching HTTP status. Every failure
// path throws an ApiError; the router turns anything else into a 500 without leaking internals.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Response headers of the error, e.g. Retry-After on a 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, 'invalid_argument', message, details);
export const unauthenticated = (message = 'Sign in to continue.') =>
  new ApiError(401, 'unauthenticated', message);
export const forbidden = (message = 'You do not have access to this.') =>
  new ApiError(403, 'permission_denied', message);
export const notFound = (message = 'Not found.') => new ApiError(404, 'not_found', message);
export const conflict = (message: string) => new ApiError(409, 'already_exists', message);
export const tooManyRequests = (
  message = 'Too many attempts. Try again later.',
  retryAfterSeconds?: number,
) =>
  new ApiError(
    429,
    'resource_exhausted',
    message,
    undefined,
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(Math.ceil(retryAfterSeconds)) },
  );
export const unavailable = (message: string) => new ApiError(503, 'unavailable', message);

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(error: ApiError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
}
