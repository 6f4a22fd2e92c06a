import {
  type ListMembersResponse,
  ORGANISATION_ROLES,
  type OrganisationMemberResponse,
  type OrganisationRole,
} from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { IntegrationMessage } from './IntegrationMessage.tsx';
import { it } from './i18n.ts';
import { type IntegrationFailure, integrationError } from './plan-error.ts';

/** An organisation's members for its admins: add by email with a role, change a role, remove (not the owner). */
export function OrganisationMembers(props: { organisationId: string; selfUid: string }) {
  const members = useSignal<OrganisationMemberResponse[]>([]);
  const email = useSignal('');
  const role = useSignal<OrganisationRole>('member');
  const message = useSignal<IntegrationFailure | null>(null);
  const base = `/organisations/${props.organisationId}/members`;
  const load = () =>
    api<ListMembersResponse>('GET', base).then(
      (r) => {
        members.value = r.members;
      },
      (error) => {
        message.value = integrationError(error);
      },
    );
  useEffect(() => {
    void load();
  }, [props.organisationId]);

  const run = async (action: () => Promise<unknown>) => {
    message.value = null;
    try {
      await action();
    } catch (error) {
      message.value = integrationError(error);
    }
    await load();
  };
  const add = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await api('POST', base, { email: email.value.trim(), role: role.value });
      email.value = '';
    });
  };

  return (
    <section class="card" data-testid="organisation-members">
      <h2>{it('org.members')}</h2>
      <p>{it('org.membersNote')}</p>
      <ul>
        {members.value.map((m) => (
          <li key={m.uid} data-testid="organisation-member">
            {m.email ?? m.uid} · {m.owner ? it('org.owner') : it(`role.${m.role}`)}{' '}
            {!m.owner && (
              <>
                <select
                  aria-label={it('org.roleOf', { who: m.email ?? m.uid })}
                  value={m.role}
                  onChange={(e) =>
                    void run(() =>
                      api('PATCH', `${base}/${m.uid}`, { role: e.currentTarget.value as OrganisationRole }),
                    )
                  }
                >
                  {ORGANISATION_ROLES.map((r) => (
                    <option key={r} value={r}>
                      {it(`role.${r}`)}
                    </option>
                  ))}
                </select>{' '}
                <button
                  type="button"
                  class="link"
                  onClick={() => void run(() => api('DELETE', `${base}/${m.uid}`))}
                >
                  {m.uid === props.selfUid ? it('org.leave') : it('org.remove')}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <form onSubmit={add} class="row">
        <label>
          {it('org.memberEmail')}{' '}
          <input
            type="email"
            required
            value={email.value}
            onInput={(e) => (email.value = e.currentTarget.value)}
          />
        </label>
        <label>
          {it('org.role')}{' '}
          <select
            value={role.value}
            onChange={(e) => (role.value = e.currentTarget.value as OrganisationRole)}
          >
            {ORGANISATION_ROLES.map((r) => (
              <option key={r} value={r}>
                {it(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" data-testid="organisation-member-add">
          {it('org.addMember')}
        </button>
      </form>
      <IntegrationMessage message={message.value} testId="organisation-members-message" />
    </section>
  );
}
