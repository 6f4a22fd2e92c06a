import { DEVICE_TYPES } from '@esp32cloud/protocol';
import { computed, signal } from '@preact/signals';
import { useMemo } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { TextField } from '../components/TextField.tsx';
import { deviceStore } from '../devices/store.ts';
import { t } from '../i18n/index.ts';
import { currentUser } from '../session.ts';
import { DeviceCard } from './DeviceCard.tsx';
import {
  type DeviceFilter,
  isDeviceTypeFilter,
  matchesFilter,
  NO_FILTER,
  type OnlineFilter,
} from './filter.ts';
import { IncomingTransfers } from './IncomingTransfers.tsx';
import { typeLabel } from './labels.ts';

/** The grid's filter; module state so it survives a visit to a device's detail view. */
const filter = signal<DeviceFilter>(NO_FILTER);

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

export default function Dashboard() {
  const uid = currentUser.value!.uid;
  const store = deviceStore(uid);

  // The ids shown, recomputed on any change but returned unchanged when equal, so the grid re-renders only
  // when the visible set changes (a relay switching re-renders its own card, not the list).
  const visible = useMemo(() => {
    let last: string[] = [];
    return computed(() => {
      const f = filter.value;
      const ids = store.links.value
        .filter((link) => matchesFilter(link, store.device(link.deviceId).value, f))
        .map((link) => link.deviceId);
      if (!sameIds(ids, last)) last = ids;
      return last;
    });
  }, [store]);

  const links = store.links.value;
  const byId = useMemo(() => new Map(links.map((link) => [link.deviceId, link])), [links]);
  const ids = visible.value;
  const update = (patch: Partial<DeviceFilter>) => {
    filter.value = { ...filter.value, ...patch };
  };

  return (
    <section class="page" data-testid="dashboard">
      <div class="row" style={{ justifyContent: 'space-between' }}>
        <h1>{t('dashboard.title')}</h1>
        <a class="button" href="/setup" data-testid="add-device">
          + {t('nav.addDevice')}
        </a>
      </div>
      <p class="hint" data-testid="signed-in-as">
        {t('auth.signedInAs', { email: currentUser.value?.email ?? '' })}
      </p>
      <IncomingTransfers uid={uid} />
      {store.error.value && <FormMessages error={t('dashboard.loadError')} />}
      {links.length > 0 && (
        <search class="toolbar">
          <TextField
            label={t('dashboard.search')}
            type="search"
            value={filter.value.text}
            placeholder={t('dashboard.searchHint')}
            onValue={(text) => update({ text })}
          />
          <label>
            {t('dashboard.type')}
            <select
              value={filter.value.type}
              onChange={(e) => {
                const value = e.currentTarget.value;
                if (isDeviceTypeFilter(value)) update({ type: value });
              }}
            >
              <option value="all">{t('dashboard.all')}</option>
              {DEVICE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {typeLabel(type)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('dashboard.status')}
            <select
              value={filter.value.online}
              onChange={(e) => update({ online: e.currentTarget.value as OnlineFilter })}
            >
              <option value="all">{t('dashboard.all')}</option>
              <option value="online">{t('device.online')}</option>
              <option value="offline">{t('device.offline')}</option>
            </select>
          </label>
        </search>
      )}
      {!store.loaded.value ? (
        <p class="loading" role="status">
          {t('app.loading')}
        </p>
      ) : links.length === 0 ? (
        <div class="card">
          <p>{t('dashboard.empty')}</p>
          <a href="/setup">{t('dashboard.addFirst')}</a>
        </div>
      ) : (
        <>
          <p class="hint" role="status" aria-live="polite">
            {t('dashboard.count', { shown: ids.length, total: links.length })}
          </p>
          <ul class="grid" data-testid="device-grid">
            {ids.map((id) => {
              const link = byId.get(id);
              return link ? <DeviceCard key={id} link={link} device={store.device(id)} /> : null;
            })}
          </ul>
        </>
      )}
    </section>
  );
}
