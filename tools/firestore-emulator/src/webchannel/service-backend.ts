import { identityFromAuthorization, type RequestContext } from '../context.ts';
import { invalidArgument, type RpcError } from '../errors.ts';
import type { FirestoreService } from '../service.ts';
import type { WebChannelBackend } from './backend.ts';

// The core service as a WebChannel backend. A browser session names its database in the `database` URL
// parameter (the web SDK sends no resource-prefix header on channels) and carries its ID token in the
// Authorization header it encodes into the handshake body; rules are then applied by the service itself.

const DATABASE_NAME = /^projects\/([^/]+)\/databases\/([^/]+)$/;

export function serviceBackend(service: FirestoreService): WebChannelBackend {
  return {
    openStream(method, request, send, end) {
      const match = DATABASE_NAME.exec(request.database);
      if (!match)
        throw invalidArgument(
          `The channel's database parameter is missing or invalid: "${request.database}".`,
        );
      const ctx: RequestContext = {
        projectId: decodeURIComponent(match[1]!),
        databaseId: decodeURIComponent(match[2]!),
        ...identityFromAuthorization(request.headers.authorization),
      };
      const finish = (error?: RpcError) =>
        end(error ? { code: error.code, message: error.message } : { code: 0, message: '' });
      return method === 'Listen' ? service.listen(ctx, send, finish) : service.write(ctx, send, finish);
    },
  };
}
