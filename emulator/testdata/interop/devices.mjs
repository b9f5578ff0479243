// Interop: remembered devices through amazon-cognito-identity-js against the authbench
// emulator.
//
//   node devices.mjs <scenario> --endpoint URL --pool-id ID --client-id ID \
//        --username NAME --password P
//
// Scenarios:
//   remembered-device  sign in (answering SMS MFA from the outbox if the pool asks),
//                      let the client confirm its new device and remember it
//                      (setDeviceStatusRemembered), then sign in again: the device's
//                      SRP proof (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) stands in
//                      for MFA.
//   stale-device       sign in and remember the device, have the pool forget it
//                      (AdminForgetDevice), then sign in again: the client gets
//                      "Device does not exist.", drops the device, answers again and
//                      confirms a new one.
//
// The steps reported are the client's callbacks and the Cognito calls it made
// ("Op" or "RespondToAuthChallenge:<ChallengeName>"), recorded by wrapping fetch.

import cognito from 'amazon-cognito-identity-js';
import { run, need, check, verifyTokens } from './lib.mjs';

const { CognitoUserPool, CognitoUser, AuthenticationDetails } = cognito;

const steps = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const target = init?.headers?.['X-Amz-Target'] ?? init?.headers?.['x-amz-target'];
  if (target) {
    const op = target.split('.').pop();
    let name = op;
    if (op === 'RespondToAuthChallenge' || op === 'InitiateAuth') {
      const body = JSON.parse(init.body);
      name += ':' + (body.ChallengeName ?? body.AuthFlow);
    }
    steps.push(name);
  }
  return realFetch(url, init);
};

function pool(o) {
  return new CognitoUserPool({ UserPoolId: o.poolId, ClientId: o.clientId, endpoint: o.endpoint });
}

/** newestCode reads the newest message of any purpose for username from the outbox. */
async function newestCode(o, username) {
  const u = new URL(o.endpoint + '/_authbench/outbox');
  u.searchParams.set('poolId', o.poolId);
  u.searchParams.set('username', username);
  u.searchParams.set('limit', '1');
  const res = await realFetch(u);
  check(res.ok, `outbox: HTTP ${res.status}`);
  const m = (await res.json()).messages?.[0];
  check(m && m.code, `outbox: no message for ${username}`);
  return m.code;
}

/**
 * signIn runs authenticateUser to the end, answering SMS MFA from the outbox, and
 * returns the user, the session and whether the device needs the user's confirmation.
 */
function signIn(o) {
  const u = new CognitoUser({ Username: o.username, Pool: pool(o) });
  return new Promise((resolve, reject) => {
    const unexpected = (name) => (...args) => reject(new Error(`unexpected callback ${name}: ${JSON.stringify(args)}`));
    const callbacks = {
      onSuccess: (session, userConfirmationNecessary) => {
        steps.push(userConfirmationNecessary ? 'onSuccess:userConfirmationNecessary' : 'onSuccess');
        resolve({ u, session, userConfirmationNecessary });
      },
      onFailure: reject,
      mfaRequired: (challengeName) => {
        steps.push('mfaRequired');
        newestCode(o, o.username).then((code) => u.sendMFACode(code, callbacks, challengeName), reject);
      },
      newPasswordRequired: unexpected('newPasswordRequired'),
      totpRequired: unexpected('totpRequired'),
      customChallenge: unexpected('customChallenge'),
      mfaSetup: unexpected('mfaSetup'),
      selectMFAType: unexpected('selectMFAType'),
    };
    u.authenticateUser(new AuthenticationDetails({ Username: o.username, Password: o.password }), callbacks);
  });
}

function tokensOf(session) {
  check(session && session.isValid(), 'the session the client holds is not valid');
  return { idToken: session.getIdToken().getJwtToken(), accessToken: session.getAccessToken().getJwtToken() };
}

/** remember signs in and makes sure the device ends up remembered. */
async function remember(o, source) {
  const first = await signIn(o);
  check(first.u.deviceKey, `${source}: the client did not keep a device key`);
  if (first.userConfirmationNecessary) {
    await new Promise((resolve, reject) => first.u.setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject }));
  }
  return { ...first, tokens: await verifyTokens(o, tokensOf(first.session), { source, username: o.username }) };
}

const scenarios = {
  async 'remembered-device'(o) {
    need(o, 'password');
    const first = await remember(o, 'new device');
    const deviceKey = first.u.deviceKey;
    steps.push('--');
    const again = await signIn(o);
    check(again.u.deviceKey === deviceKey, `second sign-in used device ${again.u.deviceKey}, want ${deviceKey}`);
    const tokens = [...first.tokens, ...(await verifyTokens(o, tokensOf(again.session), { source: 'remembered device', username: o.username }))];
    return { tokens, steps, deviceKey };
  },

  async 'stale-device'(o) {
    need(o, 'password');
    const first = await remember(o, 'new device');
    const stale = first.u.deviceKey;
    const res = await realFetch(o.endpoint + '/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.AdminForgetDevice' },
      body: JSON.stringify({ UserPoolId: o.poolId, Username: o.username, DeviceKey: stale }),
    });
    check(res.ok, `AdminForgetDevice: HTTP ${res.status} ${await res.text()}`);
    steps.push('--');
    const again = await signIn(o);
    check(again.u.deviceKey && again.u.deviceKey !== stale, `after the stale device: device ${again.u.deviceKey}`);
    const tokens = [...first.tokens, ...(await verifyTokens(o, tokensOf(again.session), { source: 'after stale device', username: o.username }))];
    return { tokens, steps, deviceKey: again.u.deviceKey };
  },
};

await run('identity-js', scenarios);
