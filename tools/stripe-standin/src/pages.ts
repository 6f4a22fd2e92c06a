// The stand-in's two pages, in place of Stripe's hosted Checkout and Customer Portal: plain forms a person (or
// a browser test) uses to "pay", switch plan or cancel. Text is escaped; nothing here is a real payment.

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem 0}.note{color:#666;font-size:.9rem}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}
<p class="note">Local Stripe stand-in (tools/stripe-standin): no money moves. In production this page is Stripe's.</p>
</body></html>`;

export function checkoutPage(
  sessionId: string,
  planLabel: string,
  amountLabel: string,
  email: string | null,
) {
  return page(
    'Checkout',
    `<p>Subscribe to <strong data-testid="standin-plan">${escapeHtml(planLabel)}</strong> for
<strong>${escapeHtml(amountLabel)}</strong> a month${email ? ` as ${escapeHtml(email)}` : ''}.</p>
<form method="post" action="/checkout/${escapeHtml(sessionId)}/pay"><button type="submit" data-testid="standin-pay">Pay</button></form>
<form method="post" action="/checkout/${escapeHtml(sessionId)}/cancel"><button type="submit">Cancel</button></form>`,
  );
}

export function portalPage(
  sessionId: string,
  subscription: { plan: string; status: string } | null,
  otherPlans: { price: string; label: string }[],
) {
  if (!subscription)
    return page(
      'Billing',
      `<p>No subscription.</p><p><a href="/portal/${escapeHtml(sessionId)}/return">Back</a></p>`,
    );
  const switches = otherPlans
    .map(
      (p) =>
        `<form method="post" action="/portal/${escapeHtml(sessionId)}/switch"><input type="hidden" name="price" value="${escapeHtml(p.price)}">
<button type="submit">Switch to ${escapeHtml(p.label)}</button></form>`,
    )
    .join('');
  return page(
    'Billing',
    `<p>Plan: <strong>${escapeHtml(subscription.plan)}</strong> (${escapeHtml(subscription.status)})</p>${switches}
<form method="post" action="/portal/${escapeHtml(sessionId)}/cancel"><button type="submit" data-testid="standin-cancel">Cancel subscription</button></form>
<p><a href="/portal/${escapeHtml(sessionId)}/return">Back</a></p>`,
  );
}
