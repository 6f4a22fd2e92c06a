import type { Ticket } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { language } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { navigate } from '../router.ts';
import { st } from './i18n.ts';

/** The ticket form; the API attaches the device snapshot itself. Opens the new ticket's thread when sent. */
export function TicketForm(props: { deviceId?: string }) {
  const subject = useSignal('');
  const description = useSignal('');
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    try {
      const ticket = await api<Ticket>('POST', '/tickets', {
        ...(props.deviceId ? { device_id: props.deviceId } : {}),
        ...(subject.value.trim() ? { subject: subject.value.trim() } : {}),
        description: description.value,
        language: language.value,
      });
      navigate(`/help/tickets/${encodeURIComponent(ticket.ticket_id)}`);
    } catch (caught) {
      error.value = errorMessage(caught);
    } finally {
      busy.value = false;
    }
  };
  return (
    <form class="card stack" onSubmit={submit} data-testid="ticket-form">
      <label>
        {st('help.subject')}
        <input
          maxLength={120}
          value={subject.value}
          data-testid="ticket-subject"
          onInput={(e) => (subject.value = e.currentTarget.value)}
        />
      </label>
      <label>
        {st('help.description')}
        <textarea
          required
          rows={5}
          maxLength={4000}
          value={description.value}
          data-testid="ticket-description"
          onInput={(e) => (description.value = e.currentTarget.value)}
        />
      </label>
      {props.deviceId && <p class="hint">{st('help.snapshotNote')}</p>}
      <button type="submit" disabled={busy.value} data-testid="ticket-submit">
        {st('help.send')}
      </button>
      {error.value && <p class="error">{error.value}</p>}
    </form>
  );
}
