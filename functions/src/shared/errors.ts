import { ApiError } from '../http/errors.ts';

// A registry failure carries its HTTP status and API error code, so routes rethrow it unchanged (the router
// renders the one error shape) and the CLI prints its message.
export class RegistryError extends ApiError {
  constructor(status: number, code: string, message: string) {
    super(status, code, message);
    this.name = 'RegistryError';
  }
}
