import { DEFAULT_PLANS } from '@esp32cloud/protocol';
import { type StandinPrice, type StripeStandin, startStripeStandin } from './index.ts';

// The local billing setup `npm start` and the tests share: public test-only keys (the stand-in is the only
// thing that accepts them; production-checks.ts refuses a deployment pointed at a stand-in) and one price per
// paid plan at the THB prices of packages/protocol's plan table.

export const STANDIN_SECRET_KEY = 'sk_test_standin_local_only';
export const STANDIN_WEBHOOK_SECRET = 'whsec_standin_local_only';
export const STANDIN_PRICES = { pro: 'price_standin_pro', business: 'price_standin_business' } as const;

export function standinPrices(): Record<string, StandinPrice> {
  return Object.fromEntries(
    Object.entries(STANDIN_PRICES).map(([plan, price]) => [
      price,
      {
        plan,
        amount: DEFAULT_PLANS[plan as keyof typeof STANDIN_PRICES].priceThbMonthly * 100,
        currency: 'thb',
      },
    ]),
  );
}

/** The functions' environment for billing against this stand-in. */
export function functionsBillingEnv(standin: Pick<StripeStandin, 'url'>): Record<string, string> {
  const address = new URL(standin.url);
  return {
    STRIPE_SECRET_KEY: STANDIN_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: STANDIN_WEBHOOK_SECRET,
    STRIPE_API_HOST: address.hostname,
    STRIPE_API_PORT: address.port,
    STRIPE_API_PROTOCOL: 'http',
    STRIPE_PRICE_PRO: STANDIN_PRICES.pro,
    STRIPE_PRICE_BUSINESS: STANDIN_PRICES.business,
  };
}

/** The stand-in with the local keys and prices (npm start, tests). */
export function startLocalStripeStandin(options: {
  host: string;
  port: number;
  webhookUrl?: string | null;
}): Promise<StripeStandin> {
  return startStripeStandin({
    ...options,
    secretKey: STANDIN_SECRET_KEY,
    webhookSecret: STANDIN_WEBHOOK_SECRET,
    prices: standinPrices(),
  });
}
