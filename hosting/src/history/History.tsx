import {
  CATALOGUE,
  type DeviceType,
  type HistoryResponse,
  PLAN_LIMIT_ERROR,
  type PlanLimitDetails,
} from '@esp32cloud/protocol';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { outputLabel, readingLabel } from '../dashboard/labels.ts';
import { language } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { planLimitHit } from '../lib/plan-limit.ts';
import { currentUser } from '../session.ts';
import { ReadingsChart } from './Chart.tsx';
import './history.css';
import { downloadCsv } from './download.ts';
import { ht } from './i18n.ts';
import {
  browserTimeZone,
  customWindow,
  type HistoryWindow,
  type RangeKey,
  toLocalInput,
  windowFor,
} from './ranges.ts';
import { chartColumns, presenceSegments } from './series.ts';

// The device page's History view (issue 13): readings over 24 h / 7 d / 30 d / a custom range, on-time per
// day of each output, the online/offline timeline and the commands with who sent them; CSV download. Loaded
// only when the customer opens it (this chunk carries uPlot).

export interface LiveState {
  online: boolean;
  readings: Record<string, number>;
}

const locale = () => (language.value === 'th' ? 'th-TH' : 'en-GB');
const SPARSE = 5;

export default function History(props: { deviceId: string; type: DeviceType; live: LiveState }) {
  const [range, setRange] = useState<RangeKey>('24h');
  const [window, setWindow] = useState<HistoryWindow>(() => windowFor('24h', Date.now()));
  const [custom, setCustom] = useState(() => ({
    from: toLocalInput(Date.now() - 86_400_000),
    to: toLocalInput(Date.now()),
  }));
  const [history, setHistory] = useState<HistoryResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Days of hourly detail the plan keeps, when this range is shown per day because of it. */
  const [dailyOnly, setDailyOnly] = useState<number | null>(null);
  const spec = CATALOGUE[props.type];
  const lang = language.value;

  useEffect(() => {
    let current = true;
    setHistory(null);
    setError(null);
    setDailyOnly(null);
    const load = (resolution: HistoryWindow['resolution']) => {
      const query = new URLSearchParams({
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
        resolution,
      });
      return api<HistoryResponse>(
        'GET',
        `/devices/${encodeURIComponent(props.deviceId)}/history?${query}`,
        undefined,
        { quietPlanLimit: true },
      );
    };
    load(window.resolution)
      .catch((e: unknown) => {
        // The plan keeps fewer days of hourly detail than this range: show it per day (summaries are kept
        // longer) and say why, instead of an error. Anything else the plan refuses opens the upgrade prompt.
        const details = e instanceof ApiError ? (e.details as PlanLimitDetails | undefined) : undefined;
        if (e instanceof ApiError && e.code === PLAN_LIMIT_ERROR) {
          if (details?.limit === 'historyDetailDays' && window.resolution !== 'day') {
            if (current) setDailyOnly(Number(details.allowed));
            return load('day');
          }
          planLimitHit.value = details ?? null;
        }
        throw e;
      })
      .then(
        (body) => current && setHistory(body),
        (e: Error) => current && setError(e.message),
      );
    return () => {
      current = false;
    };
  }, [props.deviceId, window]);

  const live =
    props.live.online && Object.keys(props.live.readings).length > 0
      ? { at: Date.now(), readings: props.live.readings }
      : null;
  const columns = useMemo(
    () => (history ? chartColumns(history, live) : null),
    [history, JSON.stringify(live?.readings)],
  );
  const labels = Object.fromEntries(spec.readings.map((r) => [r.key, `${readingLabel(r)} (${r.unit})`]));

  const pick = (key: RangeKey) => {
    setRange(key);
    if (key !== 'custom') setWindow(windowFor(key, Date.now()));
  };
  const hours = (seconds: number) =>
    ht('history.hours', {
      value: new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(seconds / 3600),
    });
  const dateTime = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' });
  const dayName = new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const uid = currentUser.value?.uid;

  return (
    <section
      class="card history"
      data-testid="history"
      data-lang={lang}
      data-from={window.from}
      data-to={window.to}
      data-state={history ? 'drawn' : error ? 'error' : 'loading'}
    >
      <h2>{ht('history.title')}</h2>
      <fieldset class="row">
        {(['24h', '7d', '30d', 'custom'] as const).map((key) => (
          <button
            type="button"
            key={key}
            class={range === key ? 'chip selected' : 'chip'}
            aria-pressed={range === key}
            data-testid={`history-range-${key}`}
            onClick={() => pick(key)}
          >
            {ht(`history.range.${key}`)}
          </button>
        ))}
        <button
          type="button"
          class="secondary"
          data-testid="history-csv"
          onClick={() => void downloadCsv(props.deviceId, window)}
        >
          {ht('history.csv')}
        </button>
      </fieldset>
      {range === 'custom' && (
        <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            const from = new Date(custom.from).getTime();
            const to = new Date(custom.to).getTime();
            if (Number.isFinite(from) && Number.isFinite(to) && from < to) setWindow(customWindow(from, to));
          }}
        >
          <label>
            {ht('history.from')}
            <input
              type="datetime-local"
              value={custom.from}
              onInput={(e) => setCustom({ ...custom, from: e.currentTarget.value })}
            />
          </label>
          <label>
            {ht('history.to')}
            <input
              type="datetime-local"
              value={custom.to}
              onInput={(e) => setCustom({ ...custom, to: e.currentTarget.value })}
            />
          </label>
          <button type="submit">{ht('history.apply')}</button>
        </form>
      )}
      <p class="hint">{ht('history.timeZone', { zone: browserTimeZone() })}</p>
      {dailyOnly !== null && (
        <p class="hint" data-testid="history-daily-only">
          {ht('history.dailyOnly', { days: dailyOnly })} <a href="/account">{ht('history.upgrade')}</a>
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {ht('history.error', { message: error })}
        </p>
      )}
      {!history && !error && (
        <p class="loading" role="status">
          {ht('history.loading')}
        </p>
      )}
      {history && columns && (
        <>
          {spec.readings.length > 0 && (
            <>
              <h3>{ht('history.readings')}</h3>
              {columns.x.length === 0 ? (
                <p class="hint" data-testid="history-empty">
                  {ht('history.empty')}
                </p>
              ) : (
                <>
                  {columns.x.length < SPARSE && (
                    <p class="hint">{ht('history.sparse', { count: columns.x.length })}</p>
                  )}
                  <ReadingsChart columns={columns} labels={labels} />
                </>
              )}
            </>
          )}
          {spec.outputs.length > 0 && (
            <>
              <h3>{ht('history.onTime')}</h3>
              {history.days.length === 0 ? (
                <p class="hint">{ht('history.empty')}</p>
              ) : (
                <table class="history-days" data-testid="history-on-time">
                  <tbody>
                    {history.days.map((day) => (
                      <tr key={day.day}>
                        <th scope="row">{dayName.format(new Date(`${day.day}T00:00:00Z`))}</th>
                        {spec.outputs.map((output) => (
                          <td key={output.key} title={outputLabel(output)}>
                            {outputLabel(output)}: {hours(day.on_seconds[output.key] ?? 0)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          )}
          <h3>{ht('history.presence')}</h3>
          <div class="presence-bar" data-testid="history-presence">
            {presenceSegments(history.presence, window.from, window.to).map((s) => (
              <span
                key={s.start}
                class={s.online ? 'on' : 'off'}
                style={{ left: `${s.start * 100}%`, width: `${s.width * 100}%` }}
                title={s.online ? ht('history.online') : ht('history.offline')}
              />
            ))}
          </div>
          <h3>{ht('history.commands')}</h3>
          {history.commands.length === 0 ? (
            <p class="hint">{ht('history.noCommands')}</p>
          ) : (
            <ul class="history-commands">
              {history.commands.map((c) => (
                <li key={c.command_id}>
                  {dateTime.format(new Date(c.at))} · {c.command} · {c.status} ·{' '}
                  {c.requested_by === uid ? ht('history.you') : (c.requested_by ?? '—')}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
