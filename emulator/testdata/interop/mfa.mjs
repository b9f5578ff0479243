// Interop scenarios for MFA: aws-amplify v6 and amazon-cognito-identity-js reach and
// leave every MFA step against the authbench emulator.
//
//   node mfa.mjs <client>/<scenario> --endpoint URL --pool-id ID --client-id ID \
//        --username NAME --password P [--email ADDR]
//
// client is amplify or identity-js. Codes come from the emulator's outbox (purpose
// MFA) or are computed from the TOTP secret (RFC 6238, node:crypto): the secret the
// client was given during setup, or AUTHBENCH_TOTP_SECRET for a user the test set up.
// A TOTP code is computed for the next 30 s window, which the emulator accepts (±1
// window), so a code of the current window already spent by setup is never reused.
// Prints one JSON result line (see lib.mjs).

import { createHmac } from 'node:crypto';
import { Amplify } from 'aws-amplify';
import { signIn, confirmSignIn, fetchAuthSession } from 'aws-amplify/auth';
import cognito from 'amazon-cognito-identity-js';
import { run, need, check, latestCode, verifyTokens } from './lib.mjs';

const { CognitoUserPool, CognitoUser, AuthenticationDetails } = cognito;

/** totp computes the RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret. */
function totp(secret, windowOffset = 1, now = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    check(v >= 0, 'the TOTP secret is not base32');
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30) + windowOffset));
  const h = createHmac('sha1', key).update(counter).digest();
  const off = h[h.length - 1] & 0x0f;
  const n = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

function envSecret() {
  const s = process.env.AUTHBENCH_TOTP_SECRET ?? '';
  check(s, 'AUTHBENCH_TOTP_SECRET is not set');
  return s;
}

// ---- aws-amplify v6 ----

function configure(o) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: o.poolId, userPoolClientId: o.clientId, userPoolEndpoint: o.endpoint } },
  });
}

async function amplifyDone(o, out, source) {
  check(out.isSignedIn === true && out.nextStep?.signInStep === 'DONE', `${source}: not signed in: ${JSON.stringify(out)}`);
  const s = await fetchAuthSession();
  check(s.tokens?.idToken && s.tokens?.accessToken, 'fetchAuthSession has no tokens');
  return verifyTokens(o, { idToken: s.tokens.idToken.toString(), accessToken: s.tokens.accessToken.toString() }, { source, username: o.username });
}

function expectStep(out, step) {
  check(out.isSignedIn === false && out.nextStep?.signInStep === step, `want ${step}, got ${JSON.stringify(out)}`);
  return out.nextStep;
}

/** amplifyCode answers a CONFIRM_SIGN_IN_WITH_{SMS,EMAIL}_CODE step from the outbox. */
async function amplifyCode(o, step, medium) {
  check(step.codeDeliveryDetails?.deliveryMedium === medium && step.codeDeliveryDetails?.destination?.includes('*'),
    `codeDeliveryDetails ${JSON.stringify(step.codeDeliveryDetails)}`);
  const { code, medium: sent } = await latestCode(o, o.username, 'MFA');
  check(sent === medium, `the code went by ${sent}, want ${medium}`);
  return confirmSignIn({ challengeResponse: code });
}

const amplify = {
  async sms(o) {
    configure(o);
    const first = await signIn({ username: o.username, password: o.password });
    const step = expectStep(first, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
    const done = await amplifyCode(o, step, 'SMS');
    return { tokens: await amplifyDone(o, done, 'SMS_MFA'), steps: [step.signInStep, done.nextStep.signInStep] };
  },

  async totp(o) {
    configure(o);
    const first = await signIn({ username: o.username, password: o.password });
    const step = expectStep(first, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    const done = await confirmSignIn({ challengeResponse: totp(envSecret()) });
    return { tokens: await amplifyDone(o, done, 'SOFTWARE_TOKEN_MFA'), steps: [step.signInStep, done.nextStep.signInStep] };
  },

  async email(o) {
    configure(o);
    const first = await signIn({ username: o.username, password: o.password });
    const step = expectStep(first, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    const done = await amplifyCode(o, step, 'EMAIL');
    return { tokens: await amplifyDone(o, done, 'EMAIL_OTP'), steps: [step.signInStep, done.nextStep.signInStep] };
  },

  async select(o) {
    configure(o);
    const first = await signIn({ username: o.username, password: o.password });
    const sel = expectStep(first, 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION');
    check(JSON.stringify(sel.allowedMFATypes) === '["SMS","TOTP"]', `allowedMFATypes ${JSON.stringify(sel.allowedMFATypes)}`);
    const sms = expectStep(await confirmSignIn({ challengeResponse: 'SMS' }), 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
    const done = await amplifyCode(o, sms, 'SMS');
    return { tokens: await amplifyDone(o, done, 'SELECT_MFA_TYPE'), steps: [sel.signInStep, sms.signInStep, done.nextStep.signInStep] };
  },

  async 'totp-setup'(o) {
    configure(o);
    const first = await signIn({ username: o.username, password: o.password });
    const setup = expectStep(first, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
    const secret = setup.totpSetupDetails?.sharedSecret;
    check(/^[A-Z2-7]{32}$/.test(secret ?? ''), 'no 32-character base32 sharedSecret');
    check(setup.totpSetupDetails.getSetupUri('authbench').toString().startsWith('otpauth://totp/'), 'bad setup URI');
    const done = await confirmSignIn({ challengeResponse: totp(secret), options: { friendlyDeviceName: 'interop' } });
    return { tokens: await amplifyDone(o, done, 'MFA_SETUP'), steps: [setup.signInStep, done.nextStep.signInStep] };
  },

  async 'email-setup'(o) {
    need(o, 'email');
    configure(o);
    const first = await signIn({ username: o.username, password: o.password });
    const setup = expectStep(first, 'CONTINUE_SIGN_IN_WITH_EMAIL_SETUP');
    const code = expectStep(await confirmSignIn({ challengeResponse: o.email }), 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    const done = await amplifyCode(o, code, 'EMAIL');
    return { tokens: await amplifyDone(o, done, 'MFA_SETUP email'), steps: [setup.signInStep, code.signInStep, done.nextStep.signInStep] };
  },

  async 'setup-selection'(o) {
    configure(o);
    const first = await signIn({ username: o.username, password: o.password });
    const sel = expectStep(first, 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION');
    check(JSON.stringify(sel.allowedMFATypes) === '["TOTP","EMAIL"]', `allowedMFATypes ${JSON.stringify(sel.allowedMFATypes)}`);
    const setup = expectStep(await confirmSignIn({ challengeResponse: 'TOTP' }), 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
    const done = await confirmSignIn({ challengeResponse: totp(setup.totpSetupDetails.sharedSecret) });
    return { tokens: await amplifyDone(o, done, 'MFA_SETUP'), steps: [sel.signInStep, setup.signInStep, done.nextStep.signInStep] };
  },
};

// ---- amazon-cognito-identity-js ----

function ijsUser(o) {
  return new CognitoUser({ Username: o.username, Pool: new CognitoUserPool({ UserPoolId: o.poolId, ClientId: o.clientId, endpoint: o.endpoint }) });
}

/** step turns identity-js's callbacks into a promise of {name, args}. */
function step(start) {
  return new Promise((resolve, reject) => {
    const cb = { onFailure: reject };
    for (const name of ['onSuccess', 'mfaRequired', 'totpRequired', 'selectMFAType', 'mfaSetup', 'newPasswordRequired', 'customChallenge', 'associateSecretCode']) {
      cb[name] = (...args) => resolve({ name, args });
    }
    start(cb);
  });
}

function ijsAuth(o, u) {
  return step((cb) => u.authenticateUser(new AuthenticationDetails({ Username: o.username, Password: o.password }), cb));
}

async function ijsDone(o, r, source) {
  check(r.name === 'onSuccess', `${source}: want onSuccess, got ${r.name}`);
  const s = r.args[0];
  check(s?.isValid?.(), `${source}: the session is not valid`);
  return verifyTokens(o, { idToken: s.getIdToken().getJwtToken(), accessToken: s.getAccessToken().getJwtToken() }, { source, username: o.username });
}

function want(r, name) {
  check(r.name === name, `want callback ${name}, got ${r.name} ${JSON.stringify(r.args)}`);
  return r;
}

const identityJs = {
  async sms(o) {
    const u = ijsUser(o);
    const m = want(await ijsAuth(o, u), 'mfaRequired');
    check(m.args[1]?.CODE_DELIVERY_DELIVERY_MEDIUM === 'SMS', `parameters ${JSON.stringify(m.args[1])}`);
    const { code } = await latestCode(o, o.username, 'MFA');
    const done = await step((cb) => u.sendMFACode(code, cb));
    return { tokens: await ijsDone(o, done, 'SMS_MFA'), steps: [m.name, done.name] };
  },

  async totp(o) {
    const u = ijsUser(o);
    const m = want(await ijsAuth(o, u), 'totpRequired');
    const done = await step((cb) => u.sendMFACode(totp(envSecret()), cb, 'SOFTWARE_TOKEN_MFA'));
    return { tokens: await ijsDone(o, done, 'SOFTWARE_TOKEN_MFA'), steps: [m.name, done.name] };
  },

  async select(o) {
    const u = ijsUser(o);
    const sel = want(await ijsAuth(o, u), 'selectMFAType');
    check(sel.args[1]?.MFAS_CAN_CHOOSE === '["SMS_MFA","SOFTWARE_TOKEN_MFA"]', `parameters ${JSON.stringify(sel.args[1])}`);
    const m = want(await step((cb) => u.sendMFASelectionAnswer('SMS_MFA', cb)), 'mfaRequired');
    const { code } = await latestCode(o, o.username, 'MFA');
    const done = await step((cb) => u.sendMFACode(code, cb));
    return { tokens: await ijsDone(o, done, 'SELECT_MFA_TYPE'), steps: [sel.name, m.name, done.name] };
  },

  async 'totp-setup'(o) {
    const u = ijsUser(o);
    const setup = want(await ijsAuth(o, u), 'mfaSetup');
    const assoc = want(await step((cb) => u.associateSoftwareToken(cb)), 'associateSecretCode');
    const secret = assoc.args[0];
    check(/^[A-Z2-7]{32}$/.test(secret ?? ''), 'no 32-character base32 secret');
    const done = await step((cb) => u.verifySoftwareToken(totp(secret), 'interop', cb));
    return { tokens: await ijsDone(o, done, 'MFA_SETUP'), steps: [setup.name, assoc.name, done.name] };
  },
};

const client = (process.argv[2] ?? '').split('/')[0];
const scenarios = {};
for (const [name, fn] of Object.entries(client === 'amplify' ? amplify : identityJs)) {
  scenarios[`${client}/${name}`] = fn;
}
await run(client, scenarios);
