import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { uniqueEmail } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { newPhonePage, screenshot } from './browser.ts';

// The app shell in real Chromium against the Auth emulator: sign-up, sign-out, sign-in, the language switch
// and the session surviving a reload. Needs a built app (npm run build -w hosting).

const hasChromium = requireProgram('chromium');

describe.skipIf(!hasChromium)('web app shell (Chromium + Auth emulator)', () => {
  let stack: Stack;
  let web: WebServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    stack = await startStack({ firebase: ['auth'] });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
  });

  it('signs up, signs out, signs back in, keeps the session across a reload and switches language', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    const email = uniqueEmail('shell');
    const password = 'correct-horse-42';

    // Signed out, the dashboard sends the visitor to sign in, in Thai by default.
    await page.goto(`${web.url}/`);
    await page.waitForURL(/\/signin\?next=%2F$/);
    expect(await page.getAttribute('html', 'lang')).toBe('th');
    await page.getByRole('heading', { name: 'เข้าสู่ระบบ' }).waitFor();
    await screenshot(page, 'shell-1-signin-th');

    await page.getByRole('button', { name: 'ยังไม่มีบัญชี? สร้างบัญชี' }).click();
    await page.getByLabel('อีเมล').fill(email);
    await page.getByLabel('รหัสผ่าน').fill(password);
    await page.getByRole('button', { name: 'สร้างบัญชี' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId('signed-in-as').getByText(email).waitFor();
    await screenshot(page, 'shell-2-dashboard-th');

    // The session persists across a reload.
    await page.reload();
    await page.getByTestId('signed-in-as').getByText(email).waitFor();

    // English, and the choice persists across a reload.
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'My devices' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await page.getByRole('heading', { name: 'My devices' }).waitFor();

    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/signin$/);

    // Password reset: the Auth emulator records the out-of-band code it would have e-mailed.
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('status').getByText(`A reset link was sent to ${email}`).waitFor();
    const oob = await fetch(`http://${stack.authHost}/emulator/v1/projects/${stack.projectId}/oobCodes`);
    const { oobCodes } = (await oob.json()) as { oobCodes: Array<{ email: string; requestType: string }> };
    expect(oobCodes.some((c) => c.email === email && c.requestType === 'PASSWORD_RESET')).toBe(true);
    await page.getByRole('button', { name: 'Have an account? Sign in' }).click();

    // A wrong password is refused in plain words; the right one signs in.
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.getByRole('alert').getByText('Wrong email or password').waitFor();
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId('signed-in-as').getByText(`Signed in as ${email}`).waitFor();
    await screenshot(page, 'shell-3-dashboard-en');
    expect(errors).toEqual([]);
  });
});
