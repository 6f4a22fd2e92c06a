import { DEVICE_TYPES } from '@esp32cloud/protocol';
import { computed, signal } from '@preact/signals';
import { useMemo } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { TextField } from '../components/TextField.tsx';
import { VirtualGrid } from '../components/VirtualGrid.tsx';
import { deviceStore } from '../devices/store.ts';
import { t } from '../i18n/index.ts';
import { online } from '../pwa/connectivity.ts';
import { currentUser } from '../session.ts';
import { DeviceCard } from './DeviceCard.tsx';
import {
  ALL_ROOMS,
  type DeviceFilter,
  isDeviceTypeFilter,
  isSortKey,
  matchesFilter,
  NO_FILTER,
  NO_ROOM,
  type OnlineFilter,
  roomsOf,
  SORT_KEYS,
  sortEntries,
} from './filter.ts';
import { IncomingTransfers } from './IncomingTransfers.tsx';
import { typeLabel } from './labels.ts';
import { RoomOff } from './RoomOff.tsx';

/** The grid's filter; module state so it survives a visit to a device's detail view. */
const filter = signal<DeviceFilter>(NO_FILTER);

/** A card's height in the windowed grid (the tallest type, a 4-relay board's four toggles, fits). */
const CARD_HEIGHT = 216;
const CARD_MIN_WIDTH = 240;
const GRID_GAP = 12;

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

export default function Dashboard() {
  const uid = currentUser.value!.uid;
  const store = deviceStore(uid);

  // The ids shown, recomputed on any change but returned unchanged when equal, so the grid re-renders only
  // when the visible set or its order changes (a relay switching re-renders its own card, not the list).
  const visible = useMemo(() => {
    let last: string[] = [];
    return computed(() => {
      const f = filter.value;
      const entries = store.links.value
        .map((link) => ({ link, device: store.device(link.deviceId).value }))
        .filter(({ link, device }) => matchesFilter(link, device, f));
      const ids = sortEntries(entries, f.sort).map((e) => e.link.deviceId);
      if (!sameIds(ids, last)) last = ids;
      return last;
    });
  }, [store]);
  const rooms = useMemo(
    () =>
      computed(() => {
        const names = roomsOf(store.links.value.map((l) => store.device(l.deviceId).value));
        return names.join('\u0000');
      }),
    [store],
  );

  const links = store.links.value;
  const byId = useMemo(() => new Map(links.map((link) => [link.deviceId, link])), [links]);
  const ids = visible.value;
  const roomNames = rooms.value ? rooms.value.split('\u0000') : [];
  const saved = store.staleSince.value !== null;
  const stale = saved || !online.value;
  const f = filter.value;
  const update = (patch: Partial<DeviceFilter>) => {
    filter.value = { ...filter.value, ...patch };
  };

  return (
    <section class="page" data-testid="dashboard" data-source={saved ? 'saved' : 'live'}>
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
            value={f.text}
            placeholder={t('dashboard.searchHint')}
            onValue={(text) => update({ text })}
          />
          <label>
            {t('dashboard.room')}
            <select
              value={f.room}
              data-testid="room-filter"
              onChange={(e) => update({ room: e.currentTarget.value })}
            >
              <option value={ALL_ROOMS}>{t('dashboard.allRooms')}</option>
              {roomNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
              <option value={NO_ROOM}>{t('dashboard.noRoom')}</option>
            </select>
          </label>
          <label>
            {t('dashboard.type')}
            <select
              value={f.type}
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
              value={f.online}
              data-testid="status-filter"
              onChange={(e) => update({ online: e.currentTarget.value as OnlineFilter })}
            >
              <option value="all">{t('dashboard.all')}</option>
              <option value="online">{t('device.online')}</option>
              <option value="offline">{t('device.offline')}</option>
            </select>
          </label>
          <label>
            {t('dashboard.sort')}
            <select
              value={f.sort}
              data-testid="sort"
              onChange={(e) => {
                const value = e.currentTarget.value;
                if (isSortKey(value)) update({ sort: value });
              }}
            >
              {SORT_KEYS.map((key) => (
                <option key={key} value={key}>
                  {t(`sort.${key}`)}
                </option>
              ))}
            </select>
          </label>
        </search>
      )}
      {f.room !== ALL_ROOMS && f.room !== NO_ROOM && roomNames.includes(f.room) && !stale && (
        <RoomOff key={f.room} room={f.room} />
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
          <p class="hint" role="status" aria-live="polite" data-testid="device-count">
            {t('dashboard.count', { shown: ids.length, total: links.length })}
          </p>
          <VirtualGrid
            count={ids.length}
            rowHeight={CARD_HEIGHT}
            minColumnWidth={CARD_MIN_WIDTH}
            gap={GRID_GAP}
            testId="device-grid"
            label={t('dashboard.title')}
            renderItem={(index) => {
              const id = ids[index]!;
              const link = byId.get(id);
              return link ? (
                <DeviceCard
                  key={id}
                  link={link}
                  device={store.device(id)}
                  position={index + 1}
                  total={ids.length}
                  offline={!online.value}
                />
              ) : null;
            }}
          />
        </>
      )}
    </section>
  );
}
