import {
  type CreateWebhookResponse,
  type ListWebhooksResponse,
  type TestWebhookResponse,
  WEBHOOK_EVENTS,
  type WebhookEvent,
  type WebhookResponse,
} from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { IntegrationMessage } from './IntegrationMessage.tsx';
import { it } from './i18n.ts';
import { type IntegrationFailure, integrationError } from './plan-error.ts';

/** The customer's webhook endpoints (shared with alert webhooks) and the platform events each receives. */
export function EventWebhooks(props: { uid: string }) {
  const hooks = useSignal<WebhookResponse[]>([]);
  const url = useSignal('');
  const secret = useSignal<string | null>(null);
  const message = useSignal<IntegrationFailure | null>(null);
  const base = `/users/${props.uid}/webhooks`;
  const load = () =>
    api<ListWebhooksResponse>('GET', base).then(
      (r) => {
        hooks.value = r.webhooks;
      },
      (error) => {
        message.value = integrationError(error);
      },
    );
  useEffect(() => {
    void load();
  }, [props.uid]);

  const run = async (action: () => Promise<string | null>) => {
    message.value = null;
    try {
      const text = await action();
      if (text) message.value = { text, planLimit: false };
    } catch (error) {
      message.value = integrationError(error);
    }
    await load();
  };
  const add = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const created = await api<CreateWebhookResponse>('POST', base, { url: url.value.trim() });
      secret.value = created.secret;
      url.value = '';
      return null;
    });
  };
  const toggle = (hook: WebhookResponse, name: WebhookEvent, on: boolean) => {
    hooks.value = hooks.value.map((h) =>
      h.webhook_id === hook.webhook_id
        ? { ...h, events: on ? [...h.events, name] : h.events.filter((e) => e !== name) }
        : h,
    );
  };
  const save = (hook: WebhookResponse) =>
    run(async () => {
      await api('PUT', `${base}/${hook.webhook_id}/events`, { events: hook.events });
      return it('events.saved');
    });
  const test = (hook: WebhookResponse) =>
    run(async () => {
      const { delivery } = await api<TestWebhookResponse>('POST', `${base}/${hook.webhook_id}/test`);
      return delivery.ok
        ? it('events.testOk', { status: delivery.status ?? '' })
        : it('events.testFailed', { error: delivery.error ?? '' });
    });

  return (
    <section class="card" data-testid="event-webhooks">
      <h2>{it('events.title')}</h2>
      {secret.value && (
        <p role="status">
          {it('events.secret')} <code>{secret.value}</code>
        </p>
      )}
      {hooks.value.length === 0 && <p>{it('events.empty')}</p>}
      {hooks.value.map((hook) => (
        <fieldset key={hook.webhook_id} data-testid="event-webhook">
          <legend>
            <code>{hook.url}</code>
            {!hook.enabled && <em> {it('events.disabled', { reason: hook.disabled_reason ?? '' })}</em>}
            {hook.held_by_plan?.events && (
              <em data-testid="event-webhook-held">
                {' '}
                {it('events.heldByPlan')} <a href="/account">{it('plan.upgrade')}</a>
              </em>
            )}
          </legend>
          {WEBHOOK_EVENTS.map((name) => (
            <label key={name} class="inline">
              <input
                type="checkbox"
                checked={hook.events.includes(name)}
                onChange={(e) => toggle(hook, name, e.currentTarget.checked)}
              />{' '}
              <code>{name}</code>
            </label>
          ))}
          <div class="row">
            <button type="button" onClick={() => void save(hook)}>
              {it('events.save')}
            </button>
            <button type="button" onClick={() => void test(hook)}>
              {it('events.test')}
            </button>
          </div>
        </fieldset>
      ))}
      <form onSubmit={add} class="row">
        <label>
          {it('events.url')}{' '}
          <input type="url" required value={url.value} onInput={(e) => (url.value = e.currentTarget.value)} />
        </label>
        <button type="submit">{it('events.add')}</button>
      </form>
      <IntegrationMessage message={message.value} testId="event-webhooks-message" role="status" />
    </section>
  );
}
