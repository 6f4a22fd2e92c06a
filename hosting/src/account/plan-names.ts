import { DEFAULT_PLANS, type PlanId } from '@esp32cloud/protocol';
import { language } from '../i18n/index.ts';

/** A plan's name in the user's language (the defaults' names; operators' renames show on the Account page). */
export const planName = (id: PlanId): string => DEFAULT_PLANS[id]?.name[language.value] ?? id;
