// gRPC status codes and the error every service method throws; transports turn it into their status form.

export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type StatusCode = (typeof Code)[keyof typeof Code];

export const codeNames: Record<number, string> = Object.fromEntries(
  Object.entries(Code).map(([name, code]) => [code, name]),
);

export class RpcError extends Error {
  constructor(
    readonly code: StatusCode,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export const invalidArgument = (message: string) => new RpcError(Code.INVALID_ARGUMENT, message);

/** Any thrown value as an RpcError (unexpected failures become INTERNAL). */
export function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RpcError(Code.INTERNAL, message);
}
