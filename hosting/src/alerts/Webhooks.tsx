import type {
  CreateWebhookResponse,
  ListWebhooksResponse,
  TestWebhookResponse,
  WebhookResponse,
} from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { at } from './i18n.ts';

/** The user's webhook endpoints: add (the secret is shown once), send a test, delete. */
export function Webhooks(props: { uid: string }) {
  const hooks = useSignal<WebhookResponse[]>([]);
  const url = useSignal('');
  const message = useSignal('');
  const base = `/users/${props.uid}/webhooks`;
  const load = () =>
    api<ListWebhooksResponse>('GET', base)
      .then((r) => {
        hooks.value = r.webhooks;
      })
      .catch((error) => {
        message.value = errorMessage(error);
      });
  useEffect(() => {
    void load();
  }, [props.uid]);
  const add = async (event: Event) => {
    event.preventDefault();
    try {
      const created = await api<CreateWebhookResponse>('POST', base, { url: url.value.trim() });
      message.value = at('webhooks.secret', { secret: created.secret });
      url.value = '';
      await load();
    } catch (error) {
      message.value = errorMessage(error);
    }
  };
  const test = async (hook: WebhookResponse) => {
    try {
      const { delivery } = await api<TestWebhookResponse>('POST', `${base}/${hook.webhook_id}/test`);
      message.value = delivery.ok
        ? at('webhooks.testOk', { status: delivery.status ?? '' })
        : at('webhooks.testFailed', { error: delivery.error ?? '' });
      await load();
    } catch (error) {
      message.value = errorMessage(error);
    }
  };
  const remove = async (hook: WebhookResponse) => {
    await api('DELETE', `${base}/${hook.webhook_id}`).catch((error) => {
      message.value = errorMessage(error);
    });
    await load();
  };
  return (
    <section class="card" data-testid="webhooks">
      <h2>{at('webhooks.title')}</h2>
      <ul>
        {hooks.value.map((hook) => (
          <li key={hook.webhook_id}>
            <code>{hook.url}</code>{' '}
            {!hook.enabled && <em>{at('webhooks.disabled', { reason: hook.disabled_reason ?? '' })}</em>}{' '}
            {hook.held_by_plan?.alerts && (
              <em data-testid="webhook-held">
                {at('webhooks.heldByPlan')} <a href="/account">{at('webhooks.upgrade')}</a>
              </em>
            )}{' '}
            <button type="button" onClick={() => void test(hook)}>
              {at('webhooks.test')}
            </button>{' '}
            <button type="button" class="link" onClick={() => void remove(hook)}>
              {at('webhooks.delete')}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add} class="row">
        <label>
          {at('webhooks.url')}{' '}
          <input type="url" required value={url.value} onInput={(e) => (url.value = e.currentTarget.value)} />
        </label>
        <button type="submit">{at('webhooks.add')}</button>
      </form>
      <p role="status" data-testid="webhooks-message">
        {message.value}
      </p>
    </section>
  );
}
