import type { OrganisationResponse } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { api } from '../lib/api.ts';
import { ApiKeys } from './ApiKeys.tsx';
import { IntegrationMessage } from './IntegrationMessage.tsx';
import { it } from './i18n.ts';
import { OrganisationMembers } from './OrganisationMembers.tsx';
import { type IntegrationFailure, integrationError } from './plan-error.ts';

/**
 * The organisation side of the Integrations page: create one (Business plan), or, for its admins, its members
 * and its API keys; a member who is not an admin sees only that admins manage it.
 */
export function OrganisationPanel(props: {
  selfUid: string;
  organisation: OrganisationResponse | null;
  onCreated: () => void;
}) {
  const name = useSignal('');
  const message = useSignal<IntegrationFailure | null>(null);
  const org = props.organisation;

  if (!org) {
    const create = async (event: Event) => {
      event.preventDefault();
      message.value = null;
      try {
        await api('POST', '/organisations', { name: name.value.trim() });
        name.value = '';
        props.onCreated();
      } catch (error) {
        message.value = integrationError(error, 'org.planNeeded');
      }
    };
    return (
      <section class="card" data-testid="organisation-create">
        <h2>{it('org.createTitle')}</h2>
        <p>{it('org.createNote')}</p>
        <form onSubmit={create} class="row">
          <label>
            {it('org.name')}{' '}
            <input
              required
              maxLength={80}
              value={name.value}
              onInput={(e) => (name.value = e.currentTarget.value)}
            />
          </label>
          <button type="submit">{it('org.create')}</button>
        </form>
        <IntegrationMessage message={message.value} testId="organisation-message" />
      </section>
    );
  }
  if (org.role !== 'admin')
    return (
      <section class="card" data-testid="organisation-member-view">
        <h2>{org.name}</h2>
        <p>{it('org.memberOnly')}</p>
      </section>
    );
  return (
    <>
      <p data-testid="organisation-name">
        <strong>{org.name}</strong> · {it('org.keysNote')}
      </p>
      <ApiKeys
        keysPath={`/organisations/${org.organisation_id}/api-keys`}
        devicesPath={`/organisations/${org.organisation_id}/devices`}
        testId="organisation-api-keys"
      />
      <OrganisationMembers organisationId={org.organisation_id} selfUid={props.selfUid} />
    </>
  );
}
