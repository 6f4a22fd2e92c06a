import { relativeTime } from '../i18n/format.ts';
import { t } from '../i18n/index.ts';
import { online, shownSnapshotAt } from './connectivity.ts';
import { applyUpdate, updateWaiting } from './register.ts';

/**
 * Offline: says so, and how old the states on screen are when they come from the saved snapshot. A new version:
 * offers to switch to it.
 */
export function Banners() {
  const savedAt = shownSnapshotAt.value;
  return (
    <>
      {!online.value && (
        <p class="banner offline" role="status" data-testid="offline-banner">
          {savedAt ? t('pwa.staleSince', { when: relativeTime(savedAt) }) : t('pwa.offline')}
        </p>
      )}
      {updateWaiting.value && (
        <div class="banner update" role="status" data-testid="update-prompt">
          {t('pwa.update')}{' '}
          <button type="button" onClick={applyUpdate}>
            {t('pwa.reload')}
          </button>
        </div>
      )}
    </>
  );
}
