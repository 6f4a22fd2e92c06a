import { currentUser } from '../session.ts';
import { ApiKeys } from './ApiKeys.tsx';
import { EventWebhooks } from './EventWebhooks.tsx';
import { it } from './i18n.ts';

/** /integrations: API keys and event webhooks for a customer's own systems (docs/API.md). */
export default function IntegrationsPage() {
  const user = currentUser.value;
  if (!user) return null;
  return (
    <div class="page" data-testid="integrations">
      <h1>{it('title')}</h1>
      <p>
        {it('intro')}{' '}
        <a href="/api/docs" target="_blank" rel="noopener">
          {it('docs')}
        </a>
      </p>
      <ApiKeys uid={user.uid} />
      <EventWebhooks uid={user.uid} />
    </div>
  );
}
