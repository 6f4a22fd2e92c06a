import { useEffect, useRef } from 'preact/hooks';
import { planLimitHit } from '../lib/plan-limit.ts';
import { route } from '../router.ts';
import { type AccountKey, ta } from './i18n.ts';
import { planName } from './plan-names.ts';

// Shown by the shell whenever the API answered plan_limit: which limit, and the plan that lifts it with a link
// to the Account page's upgrade. Cleared by "close" or by leaving the page.

const LIMIT_TEXT: Record<string, AccountKey> = {
  devices: 'prompt.devices',
  sharedUsersPerDevice: 'prompt.sharedUsersPerDevice',
  alertRulesPerDevice: 'prompt.alertRulesPerDevice',
  alertChannels: 'prompt.alertChannels',
  webhooksPerUser: 'prompt.webhooksPerUser',
  historyDetailDays: 'prompt.historyDetailDays',
  historySummaryDays: 'prompt.historySummaryDays',
};

export default function UpgradePrompt() {
  const hit = planLimitHit.value;
  const path = route.value.path;
  const shownOn = useRef(path);
  const box = useRef<HTMLElement>(null);
  useEffect(() => {
    if (path !== shownOn.current) planLimitHit.value = null;
  }, [path]);
  useEffect(() => {
    box.current?.scrollIntoView?.({ block: 'nearest' });
  }, [hit]);
  if (!hit) return null;
  const allowed = Array.isArray(hit.allowed) ? hit.allowed.join(', ') : String(hit.allowed);
  return (
    <section class="card upgrade-prompt" role="alert" data-testid="upgrade-prompt" ref={box}>
      <h2>{ta('prompt.title', { plan: planName(hit.plan) })}</h2>
      <p>{ta(LIMIT_TEXT[hit.limit] ?? 'prompt.other', { allowed })}</p>
      <div class="row">
        {hit.upgradeTo ? (
          <a class="button primary" href={`/account?upgrade=${hit.upgradeTo}`} data-testid="upgrade-link">
            {ta('prompt.upgrade', { plan: planName(hit.upgradeTo) })}
          </a>
        ) : (
          <a href="/help">{ta('prompt.contact')}</a>
        )}
        <button type="button" onClick={() => (planLimitHit.value = null)}>
          {ta('prompt.dismiss')}
        </button>
      </div>
    </section>
  );
}
