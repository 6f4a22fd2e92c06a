import type { FleetAnalyticsResponse } from '@esp32cloud/protocol';
import { useEffect, useState } from 'preact/hooks';
import { language } from '../i18n/index.ts';
import { type ApiError, api } from '../lib/api.ts';
import { ft } from './i18n.ts';

// /admin/analytics: the operators' fleet figures (GET /api/admin/analytics), as plain tables. The API checks
// the operator role; anyone else sees why the page is empty.

const PERIODS = [7, 30, 90] as const;

function Distribution(props: { title: string; counts: Record<string, number>; testId: string }) {
  const entries = Object.entries(props.counts).sort((a, b) => b[1] - a[1]);
  return (
    <div class="card">
      <h2>{props.title}</h2>
      <ul data-testid={props.testId}>
        {entries.length === 0 && <li>{ft('fleet.none')}</li>}
        {entries.map(([name, count]) => (
          <li key={name}>
            {name}: {count}
          </li>
        ))}
      </ul>
    </div>
  );
}

export default function FleetPage() {
  const [days, setDays] = useState<number>(30);
  const [data, setData] = useState<FleetAnalyticsResponse | null>(null);
  const [error, setError] = useState<{ status: number; message: string } | null>(null);
  const locale = language.value === 'th' ? 'th-TH' : 'en-GB';
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });

  useEffect(() => {
    let current = true;
    setData(null);
    setError(null);
    api<FleetAnalyticsResponse>('GET', `/admin/analytics?days=${days}`).then(
      (body) => current && setData(body),
      (e: ApiError) => current && setError({ status: e.status, message: e.message }),
    );
    return () => {
      current = false;
    };
  }, [days]);

  if (error)
    return (
      <section class="page narrow">
        <h1>{ft('fleet.title')}</h1>
        <p class="error" role="alert" data-testid="fleet-error">
          {error.status === 403 ? ft('fleet.forbidden') : ft('fleet.error', { message: error.message })}
        </p>
      </section>
    );
  return (
    <section class="page" data-testid="fleet-page">
      <h1>{ft('fleet.title')}</h1>
      <label>
        {ft('fleet.days')}{' '}
        <select value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
          {PERIODS.map((n) => (
            <option key={n} value={n}>
              {ft('fleet.daysOption', { n })}
            </option>
          ))}
        </select>
      </label>
      {!data ? (
        <p class="loading" role="status">
          {ft('fleet.loading')}
        </p>
      ) : (
        <>
          <dl class="facts card" data-testid="fleet-totals">
            <dt>{ft('fleet.devices')}</dt>
            <dd>{data.totals.devices}</dd>
            <dt>{ft('fleet.claimed')}</dt>
            <dd>{data.totals.claimed}</dd>
            <dt>{ft('fleet.online')}</dt>
            <dd>{data.totals.online}</dd>
            <dt>{ft('fleet.active24h')}</dt>
            <dd>{data.totals.active_24h}</dd>
            <dt>{ft('fleet.onlineRatio')}</dt>
            <dd>{percent.format(data.totals.online_ratio)}</dd>
            <dt>{ft('fleet.timeToClaim')}</dt>
            <dd>
              {ft('fleet.median')}{' '}
              {data.time_to_claim_hours.median === null
                ? '—'
                : number.format(data.time_to_claim_hours.median)}
            </dd>
          </dl>
          <div class="card">
            <h2>{ft('fleet.batches')}</h2>
            <table data-testid="fleet-batches">
              <thead>
                <tr>
                  <th>{ft('fleet.batch')}</th>
                  <th>{ft('fleet.manufactured')}</th>
                  <th>{ft('fleet.claimedDay')}</th>
                  <th>{ft('fleet.rate')}</th>
                </tr>
              </thead>
              <tbody>
                {data.batches.map((b) => (
                  <tr key={b.batch_id} data-batch={b.batch_id}>
                    <td>{b.batch_id}</td>
                    <td>{b.manufactured}</td>
                    <td>{b.claimed}</td>
                    <td>{percent.format(b.activation_rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="card">
            <h2>{ft('fleet.perDay')}</h2>
            <table data-testid="fleet-per-day">
              <thead>
                <tr>
                  <th>{ft('fleet.day')}</th>
                  <th>{ft('fleet.manufactured')}</th>
                  <th>{ft('fleet.claimedDay')}</th>
                  <th>{ft('fleet.active')}</th>
                  <th>{ft('fleet.messages')}</th>
                </tr>
              </thead>
              <tbody>
                {data.per_day.map((d) => (
                  <tr key={d.day}>
                    <td>{d.day}</td>
                    <td>{d.manufactured}</td>
                    <td>{d.claimed}</td>
                    <td>{d.active}</td>
                    <td>{number.format(d.messages)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Distribution title={ft('fleet.firmware')} counts={data.firmware} testId="fleet-firmware" />
          <Distribution title={ft('fleet.types')} counts={data.device_types} testId="fleet-types" />
          <Distribution
            title={ft('fleet.errors')}
            counts={Object.fromEntries(data.top_error_codes.map((e) => [e.code, e.count]))}
            testId="fleet-errors"
          />
        </>
      )}
    </section>
  );
}
