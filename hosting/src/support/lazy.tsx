import type { VNode } from 'preact';
import { lazyPage } from '../lazy.tsx';

// The shell's only support code: which path opens which help page, each page its own chunk.
const HelpPage = lazyPage(() => import('./HelpPage.tsx').then((m) => m.default));
const DeviceHelp = lazyPage<{ deviceId: string }>(() => import('./DeviceHelp.tsx').then((m) => m.default));
const TicketPage = lazyPage<{ ticketId: string }>(() => import('./TicketPage.tsx').then((m) => m.default));

/** The help page for `path`, or null when the path is not one of them. */
export function supportPage(path: string): VNode | null {
  if (path === '/help') return <HelpPage />;
  const device = /^\/devices\/([^/]+)\/help$/.exec(path);
  if (device) return <DeviceHelp deviceId={decodeURIComponent(device[1]!)} />;
  const ticket = /^\/help\/tickets\/([^/]+)$/.exec(path);
  if (ticket) return <TicketPage ticketId={decodeURIComponent(ticket[1]!)} />;
  return null;
}
