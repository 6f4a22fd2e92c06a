import {
  ALERT_CHANNELS,
  ALERT_SEVERITIES,
  type AlertChannel,
  type AlertSeverity,
  type NotificationSettingsDoc,
} from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { at } from './i18n.ts';

/** Channels per severity, quiet hours in the user's time zone, the daily cap and the email language. */
export function NotificationSettings(props: { uid: string }) {
  const settings = useSignal<NotificationSettingsDoc | null>(null);
  const message = useSignal('');
  useEffect(() => {
    api<NotificationSettingsDoc>('GET', `/users/${props.uid}/notification-settings`)
      .then((s) => {
        settings.value = s;
      })
      .catch((error) => {
        message.value = errorMessage(error);
      });
  }, [props.uid]);
  const s = settings.value;
  if (!s) return <p class="loading">{message.value || '…'}</p>;
  const update = (patch: Partial<NotificationSettingsDoc>) => {
    settings.value = { ...s, ...patch };
    message.value = '';
  };
  const toggle = (severity: AlertSeverity, channel: AlertChannel) => {
    const list = s.channels[severity];
    const next = list.includes(channel) ? list.filter((c) => c !== channel) : [...list, channel];
    update({ channels: { ...s.channels, [severity]: next } });
  };
  const save = async (event: Event) => {
    event.preventDefault();
    const { email: _email, updated_at: _updated, ...body } = s;
    try {
      settings.value = await api<NotificationSettingsDoc>(
        'PUT',
        `/users/${props.uid}/notification-settings`,
        body,
      );
      message.value = at('settings.saved');
    } catch (error) {
      message.value = errorMessage(error);
    }
  };
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Bangkok';
  return (
    <form class="card" onSubmit={save} data-testid="notification-settings">
      <h2>{at('settings.title')}</h2>
      <label>
        {at('settings.language')}{' '}
        <select
          value={s.language}
          onChange={(e) => update({ language: e.currentTarget.value as 'th' | 'en' })}
        >
          <option value="th">ไทย</option>
          <option value="en">English</option>
        </select>
      </label>
      <fieldset>
        <legend>{at('settings.channels')}</legend>
        {ALERT_SEVERITIES.map((severity) => (
          <div key={severity} class="row">
            <strong>{at(`severity.${severity}`)}</strong>
            {ALERT_CHANNELS.map((channel) => (
              <label key={channel}>
                <input
                  type="checkbox"
                  checked={s.channels[severity].includes(channel)}
                  onChange={() => toggle(severity, channel)}
                />{' '}
                {at(`channel.${channel}`)}
              </label>
            ))}
          </div>
        ))}
      </fieldset>
      <fieldset>
        <legend>{at('settings.quiet')}</legend>
        <label>
          <input
            type="checkbox"
            checked={s.quiet_hours !== null}
            onChange={(e) =>
              update({
                quiet_hours: e.currentTarget.checked
                  ? { start: '22:00', end: '07:00', time_zone: zone }
                  : null,
              })
            }
          />{' '}
          {at('settings.quietOn')}
        </label>
        {s.quiet_hours && (
          <div class="row">
            <label>
              {at('settings.from')}{' '}
              <input
                type="time"
                value={s.quiet_hours.start}
                onInput={(e) => update({ quiet_hours: { ...s.quiet_hours!, start: e.currentTarget.value } })}
              />
            </label>
            <label>
              {at('settings.to')}{' '}
              <input
                type="time"
                value={s.quiet_hours.end}
                onInput={(e) => update({ quiet_hours: { ...s.quiet_hours!, end: e.currentTarget.value } })}
              />
            </label>
            <label>
              {at('settings.timeZone')}{' '}
              <input
                value={s.quiet_hours.time_zone}
                onInput={(e) =>
                  update({ quiet_hours: { ...s.quiet_hours!, time_zone: e.currentTarget.value } })
                }
              />
            </label>
          </div>
        )}
      </fieldset>
      <label>
        {at('settings.cap')}{' '}
        <input
          type="number"
          min={1}
          value={s.daily_cap}
          onInput={(e) => update({ daily_cap: Number(e.currentTarget.value) })}
        />
      </label>
      <p>
        <button type="submit" class="primary">
          {at('settings.save')}
        </button>{' '}
        <span role="status">{message.value}</span>
      </p>
    </form>
  );
}
