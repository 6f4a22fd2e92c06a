import { identityFromAuthorization, type RequestContext } from '../context.ts';
import type { RpcError } from '../errors.ts';
import type { FirestoreService } from '../service.ts';
import type { WebChannelBackend } from './backend.ts';

// The core service as a WebChannel backend. A browser session names its database in the `database` URL
// parameter (the web SDK has no resource-prefix header on channels) and carries its ID token in the
// Authorization header it encodes into the handshake body; rules are then applied by the service itself.

const DATABASE_NAME = /^projects\/([^/]+)\/databases\/([^/]+)$/;

export function serviceBackend(service: FirestoreService, defaultProjectId: string): WebChannelBackend {
  return {
    openStream(method, request, send, end) {
      const match = DATABASE_NAME.exec(request.database);
      const ctx: RequestContext = {
        projectId: match ? decodeURIComponent(match[1]!) : defaultProjectId,
        databaseId: match ? decodeURIComponent(match[2]!) : '(default)',
        ...identityFromAuthorization(request.headers.authorization),
      };
      const finish = (error?: RpcError) =>
        end(error ? { code: error.code, message: error.message } : { code: 0, message: '' });
      return method === 'Listen' ? service.listen(ctx, send, finish) : service.write(ctx, send, finish);
    },
  };
}
