import type { ListOrganisationsResponse, OrganisationResponse } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { currentUser } from '../session.ts';
import { ApiKeys } from './ApiKeys.tsx';
import { EventWebhooks } from './EventWebhooks.tsx';
import { it } from './i18n.ts';
import { OrganisationPanel } from './OrganisationPanel.tsx';

/**
 * /integrations: API keys and event webhooks for a customer's own systems (docs/API.md). A switch chooses
 * whose keys: the person's own (acting as them) or an organisation's (acting on its owner's devices).
 */
export default function IntegrationsPage() {
  const user = currentUser.value;
  const side = useSignal<'personal' | 'organisation'>('personal');
  const organisations = useSignal<OrganisationResponse[]>([]);
  const chosen = useSignal<string | null>(null);
  const load = () =>
    user
      ? api<ListOrganisationsResponse>('GET', `/users/${user.uid}/organisations`).then(
          (r) => {
            organisations.value = r.organisations;
            // One's own organisation first: it is the one an owner manages.
            const own = r.organisations.find((o) => o.owner_uid === user.uid);
            chosen.value ??= (own ?? r.organisations[0])?.organisation_id ?? null;
          },
          () => undefined,
        )
      : Promise.resolve();
  useEffect(() => {
    void load();
  }, [user?.uid]);
  if (!user) return null;
  const organisation = organisations.value.find((o) => o.organisation_id === chosen.value) ?? null;

  return (
    <div class="page" data-testid="integrations">
      <h1>{it('title')}</h1>
      <p>
        {it('intro')}{' '}
        <a href="/api/docs" target="_blank" rel="noopener">
          {it('docs')}
        </a>
      </p>
      <fieldset class="row" data-testid="integrations-side">
        <legend>{it('side.legend')}</legend>
        {(['personal', 'organisation'] as const).map((value) => (
          <label key={value} class="inline">
            <input
              type="radio"
              name="integrations-side"
              value={value}
              checked={side.value === value}
              onChange={() => (side.value = value)}
            />{' '}
            {it(`side.${value}`)}
          </label>
        ))}
        {side.value === 'organisation' && organisations.value.length > 1 && (
          <label>
            {it('org.choose')}{' '}
            <select value={chosen.value ?? ''} onChange={(e) => (chosen.value = e.currentTarget.value)}>
              {organisations.value.map((o) => (
                <option key={o.organisation_id} value={o.organisation_id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </fieldset>
      {side.value === 'personal' ? (
        <>
          <p>{it('side.personalNote')}</p>
          <ApiKeys keysPath={`/users/${user.uid}/api-keys`} devicesPath={`/users/${user.uid}/devices`} />
          <EventWebhooks uid={user.uid} />
        </>
      ) : (
        <OrganisationPanel
          key={organisation?.organisation_id ?? 'none'}
          selfUid={user.uid}
          organisation={organisation}
          onCreated={() => void load()}
        />
      )}
    </div>
  );
}
