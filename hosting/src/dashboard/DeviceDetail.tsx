import { LazyAlertRules } from '../alerts/lazy-device.ts';
import { canControl, canManage } from '../devices/permissions.ts';
import { deviceStore } from '../devices/store.ts';
import { HistoryEntry } from '../history/HistoryEntry.tsx';
import { lastSeenText } from '../i18n/format.ts';
import { t } from '../i18n/index.ts';
import { currentUser } from '../session.ts';
import { Controls } from './Controls.tsx';
import { typeLabel } from './labels.ts';
import { Readings } from './Readings.tsx';
import { RoomSetting } from './RoomSetting.tsx';
import { Settings } from './Settings.tsx';
import { Sharing } from './Sharing.tsx';
import { Transfer } from './Transfer.tsx';

/** /devices/:id — live state, the controls of its type (owner, controller), settings (owner). */
export default function DeviceDetail(props: { deviceId: string }) {
  const uid = currentUser.value!.uid;
  const store = deviceStore(uid);
  const link = store.link(props.deviceId);
  const device = store.device(props.deviceId).value;

  if (!store.loaded.value || device === undefined) {
    return (
      <p class="loading" role="status">
        {t('app.loading')}
      </p>
    );
  }
  if (!link || device === null) {
    return (
      <section class="page narrow">
        <h1>{t('device.notFound')}</h1>
        <a href="/">{t('nav.dashboard')}</a>
      </section>
    );
  }
  const online = device.state.online;
  return (
    <section class="page detail" data-testid="device-detail">
      <p>
        <a href="/">← {t('nav.dashboard')}</a>
      </p>
      <h1>{link.name}</h1>
      <p>
        <a href={`/devices/${encodeURIComponent(link.deviceId)}/help`} data-testid="get-help">
          {t('device.getHelp')}
        </a>
      </p>
      <div class="card">
        <div class="row">
          <span class={`badge ${online ? 'online' : 'offline'}`} data-testid="device-online">
            {online ? t('device.online') : t('device.offline')}
          </span>
          <span>{typeLabel(device.type)}</span>
        </div>
        <dl class="facts">
          <dt>{t('device.lastSeen')}</dt>
          {/* last_seen is written hourly while online and exactly on going offline (docs/ANALYTICS.md). */}
          <dd>{online ? t('device.online') : lastSeenText(device.state.lastSeen)}</dd>
          <dt>{t('device.serial')}</dt>
          <dd>{device.serialNumber}</dd>
          <dt>{t('device.id')}</dt>
          <dd>{device.deviceId}</dd>
          {device.room && (
            <>
              <dt>{t('room.current')}</dt>
              <dd data-testid="device-room">{device.room}</dd>
            </>
          )}
          <dt>{t('device.access')}</dt>
          <dd>{t(`access.${link.access}`)}</dd>
          {device.firmware && (
            <>
              <dt>{t('device.firmware')}</dt>
              <dd>{device.firmware}</dd>
            </>
          )}
        </dl>
      </div>
      {canControl(link.access) ? (
        <Controls device={device} />
      ) : (
        <p class="hint" data-testid="viewer-note">
          {t('device.viewerNote')}
        </p>
      )}
      <Readings device={device} canControl={canControl(link.access)} />
      <HistoryEntry
        key={`history-${link.deviceId}`}
        deviceId={link.deviceId}
        type={device.type}
        live={{ online, readings: device.state.readings }}
      />
      {canManage(link.access) && <Settings key={link.deviceId} uid={uid} link={link} />}
      {canManage(link.access) && <RoomSetting key={link.deviceId} device={device} />}
      {canManage(link.access) && <Sharing key={link.deviceId} deviceId={link.deviceId} />}
      {link.access === 'owner' && (
        <LazyAlertRules key={link.deviceId} deviceId={link.deviceId} type={device.type} />
      )}
      {canManage(link.access) && <Transfer key={link.deviceId} deviceId={link.deviceId} />}
    </section>
  );
}
