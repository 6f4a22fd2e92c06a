import type { VNode } from 'preact';
import { lazyPage } from '../lazy.tsx';

// The shell's only console code: which path opens which console page, each page its own chunk.
const Console = lazyPage(() => import('./Console.tsx').then((m) => m.default));
const DevicePage = lazyPage<{ deviceId: string }>(() => import('./DevicePage.tsx').then((m) => m.default));
const CustomerPage = lazyPage<{ uid: string }>(() => import('./CustomerPage.tsx').then((m) => m.default));
const TicketPage = lazyPage<{ ticketId: string }>(() => import('./TicketPage.tsx').then((m) => m.default));
const AuditPage = lazyPage<{ deviceId: string | null; actor: string | null }>(() =>
  import('./AuditPage.tsx').then((m) => m.default),
);

// Nothing while it loads: most users are not operators and never see a link there, so a loading line would
// only appear and vanish in the header, moving the links beside it under the pointer.
export const LazyConsoleLink = lazyPage(
  () => import('./ConsoleLink.tsx').then((m) => m.default),
  () => null,
);

/** The console page for `path`, or null when the path is not one of them. */
export function operatorPage(path: string, query: URLSearchParams): VNode | null {
  if (path === '/operator') return <Console />;
  if (path === '/operator/audit')
    return <AuditPage deviceId={query.get('deviceId')} actor={query.get('actor')} />;
  const match = /^\/operator\/(devices|customers|tickets)\/([^/]+)$/.exec(path);
  if (!match) return null;
  const id = decodeURIComponent(match[2]!);
  if (match[1] === 'devices') return <DevicePage deviceId={id} />;
  if (match[1] === 'customers') return <CustomerPage uid={id} />;
  return <TicketPage ticketId={id} />;
}
