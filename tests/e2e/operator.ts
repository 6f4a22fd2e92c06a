import type { CreateDeviceResponse, DeviceType } from '@esp32cloud/protocol';
import { signIn, signUp, uniqueEmail } from '../harness/auth.ts';

// Test set-up through the product's own doors: an operator account (role claim set through the Auth
// emulator's admin REST API) provisions devices with POST /api/devices, as the factory does.

export async function operatorToken(authHost: string, projectId: string): Promise<string> {
  const user = await signUp(authHost, uniqueEmail('operator'));
  const response = await fetch(
    `http://${authHost}/identitytoolkit.googleapis.com/v1/projects/${projectId}/accounts:update`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
      body: JSON.stringify({ localId: user.uid, customAttributes: JSON.stringify({ role: 'operator' }) }),
    },
  );
  if (!response.ok) throw new Error(`setting the operator claim failed: ${await response.text()}`);
  return (await signIn(authHost, user.email, user.password)).idToken;
}

export async function provisionDevice(
  apiUrl: string,
  token: string,
  deviceType: DeviceType = '4Relay',
): Promise<CreateDeviceResponse> {
  const response = await fetch(`${apiUrl}/api/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ device_type: deviceType, firmware_version: '1.0.0' }),
  });
  const body = await response.json();
  if (response.status !== 201)
    throw new Error(`provisioning failed: ${response.status} ${JSON.stringify(body)}`);
  return body as CreateDeviceResponse;
}

export async function apiGet<T>(apiUrl: string, path: string, token: string): Promise<T> {
  const response = await fetch(`${apiUrl}/api${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.json();
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body as T;
}
