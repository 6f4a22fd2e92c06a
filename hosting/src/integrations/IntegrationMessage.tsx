import { it } from './i18n.ts';
import type { IntegrationFailure } from './plan-error.ts';

/** One outcome line of an Integrations card; a plan refusal links to the plans. */
export function IntegrationMessage(props: {
  message: IntegrationFailure | null;
  testId: string;
  role?: 'alert' | 'status';
}) {
  if (!props.message) return null;
  return (
    <p role={props.role ?? 'alert'} data-testid={props.testId}>
      {props.message.text} {props.message.planLimit && <a href="/account">{it('plan.upgrade')}</a>}
    </p>
  );
}
