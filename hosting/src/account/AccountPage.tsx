import {
  type AccountResponse,
  type BillingSessionResponse,
  type Entitlements,
  PLAN_IDS,
  type PlanId,
  type PlansResponse,
} from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { dateText } from '../i18n/format.ts';
import { language } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { route } from '../router.ts';
import { type AccountKey, ta } from './i18n.ts';

// /account: the customer's plan and what it includes, this month's usage, billing status and invoices, and the
// way to change it: Upgrade opens Stripe Checkout, Manage the Customer Portal (both Stripe-hosted pages; the
// plan changes when Stripe's signed webhook reaches the API). With billing off it says whom to ask.

const NUMBER_LIMITS: (keyof Entitlements)[] = [
  'devices',
  'sharedUsersPerDevice',
  'historyDetailDays',
  'historySummaryDays',
  'alertRulesPerDevice',
  'webhooksPerUser',
];

function EntitlementList({ entitlements }: { entitlements: Entitlements }) {
  return (
    <ul data-testid="account-entitlements">
      {NUMBER_LIMITS.map((key) => (
        <li key={key}>{ta(`ent.${key}` as AccountKey, { n: entitlements[key] as number })}</li>
      ))}
      {entitlements.apiAccess && <li>{ta('ent.apiAccess')}</li>}
      {entitlements.organisationKeys && <li>{ta('ent.organisationKeys')}</li>}
      <li>{ta('ent.supportPriority', { n: ta(`support.${entitlements.supportPriority}` as AccountKey) })}</li>
    </ul>
  );
}

const RETURNS: Record<string, AccountKey> = {
  success: 'account.returned.success',
  cancelled: 'account.returned.cancelled',
  portal: 'account.returned.portal',
};

export default function AccountPage() {
  const account = useSignal<AccountResponse | null>(null);
  const plans = useSignal<PlansResponse | null>(null);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const returned = route.value.query.get('billing');
  const number = (n: number) => n.toLocaleString(language.value === 'th' ? 'th-TH' : 'en-GB');

  async function load() {
    const [mine, table] = await Promise.all([
      api<AccountResponse>('GET', '/billing/account'),
      api<PlansResponse>('GET', '/plans'),
    ]);
    account.value = mine;
    plans.value = table;
  }

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = (left: number) =>
      load()
        .then(() => {
          // Back from Checkout: the webhook may land a moment after the redirect; look again a few times.
          if (live && returned === 'success' && account.value?.billing.status === 'none' && left > 0)
            timer = setTimeout(() => void refresh(left - 1), 1500);
        })
        .catch((caught: unknown) => {
          if (live) error.value = errorMessage(caught);
        });
    void refresh(5);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [returned]);

  async function open(path: string, body?: unknown) {
    busy.value = true;
    error.value = null;
    try {
      const session = await api<BillingSessionResponse>('POST', path, body);
      window.location.assign(session.url);
    } catch (caught) {
      error.value = errorMessage(caught);
      busy.value = false;
    }
  }

  const mine = account.value;
  const table = plans.value;
  if (!mine || !table)
    return (
      <section class="card">
        <h1>{ta('account.title')}</h1>
        <FormMessages error={error.value} />
        {!error.value && <p class="loading">…</p>}
      </section>
    );
  const current = table.plans.find((p) => p.id === mine.plan);
  const higher = PLAN_IDS.slice(PLAN_IDS.indexOf(mine.plan) + 1) as PlanId[];
  const subscribed = mine.billing.status !== 'none' && mine.billing.status !== 'canceled';
  const wanted = route.value.query.get('upgrade');

  return (
    <div class="account" data-testid="account-page">
      <h1>{ta('account.title')}</h1>
      {returned && RETURNS[returned] && <FormMessages notice={ta(RETURNS[returned])} />}
      <FormMessages error={error.value} />
      <section class="card" aria-labelledby="account-plan">
        <h2 id="account-plan">{ta('account.plan')}</h2>
        <p class="plan-name" data-testid="account-plan-name">
          {current?.name[language.value] ?? mine.plan}
        </p>
        <p>
          {current && current.priceThbMonthly > 0
            ? ta('account.price', { price: number(current.priceThbMonthly) })
            : ta('account.free')}
        </p>
        <h3>{ta('account.entitlements')}</h3>
        <EntitlementList entitlements={mine.entitlements} />
        {mine.read_only_devices > 0 && (
          <p class="error" role="status" data-testid="account-read-only">
            {ta('account.readOnly', { count: mine.read_only_devices })}
          </p>
        )}
      </section>

      <section class="card" aria-labelledby="account-usage">
        <h2 id="account-usage">{ta('account.usage', { month: mine.usage.month })}</h2>
        <dl class="usage" data-testid="account-usage">
          <dt>{ta('account.usage.devices')}</dt>
          <dd data-testid="usage-devices">
            {number(mine.usage.devices)} / {number(mine.entitlements.devices)}
          </dd>
          <dt>{ta('account.usage.messages')}</dt>
          <dd data-testid="usage-messages">{number(mine.usage.messages)}</dd>
          <dt>{ta('account.usage.apiCalls')}</dt>
          <dd data-testid="usage-api-calls">{number(mine.usage.api_calls)}</dd>
        </dl>
      </section>

      <section class="card" aria-labelledby="account-billing">
        <h2 id="account-billing">{ta('account.billing')}</h2>
        {!mine.billing.enabled ? (
          <p data-testid="billing-off">{ta('account.billingOff')}</p>
        ) : (
          <>
            <p data-testid="billing-status">
              {ta('account.status', { status: ta(`account.status.${mine.billing.status}` as AccountKey) })}
            </p>
            {mine.billing.current_period_end && (
              <p>
                {mine.billing.cancel_at_period_end
                  ? ta('account.cancelAtEnd')
                  : ta('account.periodEnd', { date: dateText(new Date(mine.billing.current_period_end)) })}
              </p>
            )}
            <div class="row">
              {!subscribed &&
                higher.map((id) => {
                  const plan = table.plans.find((p) => p.id === id)!;
                  return (
                    <button
                      type="button"
                      key={id}
                      class={wanted === id || (!wanted && id === higher[0]) ? 'primary' : ''}
                      disabled={busy.value}
                      data-testid={`upgrade-${id}`}
                      onClick={() => void open('/billing/checkout', { plan: id })}
                    >
                      {ta('account.upgrade', { plan: plan.name[language.value] })} ·{' '}
                      {ta('account.price', { price: number(plan.priceThbMonthly) })}
                    </button>
                  );
                })}
              {subscribed && (
                <button
                  type="button"
                  class="primary"
                  disabled={busy.value}
                  data-testid="manage-billing"
                  onClick={() => void open('/billing/portal')}
                >
                  {ta('account.manage')}
                </button>
              )}
            </div>
            <h3>{ta('account.invoices')}</h3>
            {mine.billing.invoices.length === 0 ? (
              <p>{ta('account.invoices.none')}</p>
            ) : (
              <ul data-testid="account-invoices">
                {mine.billing.invoices.map((invoice) => (
                  <li key={invoice.id}>
                    {dateText(new Date(invoice.created_at))} · {number(invoice.amount / 100)}{' '}
                    {invoice.currency.toUpperCase()} · {ta(`account.invoice.${invoice.status}` as AccountKey)}
                    {invoice.url && (
                      <>
                        {' · '}
                        <a href={invoice.url} target="_blank" rel="noopener noreferrer">
                          {ta('account.invoice.view')}
                        </a>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>
    </div>
  );
}
