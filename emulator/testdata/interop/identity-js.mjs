// Interop scenarios for amazon-cognito-identity-js against the authbench emulator.
//
//   node identity-js.mjs <scenario> --endpoint URL --pool-id ID --client-id ID \
//        --username NAME [--password P] [--new-password P] [--email ADDR]
//
// Scenarios: srp, password, new-password, forgot-password, sign-up, wrong-password.
// Prints one JSON result line (see lib.mjs).

import cognito from 'amazon-cognito-identity-js';
import { run, need, check, latestCode, verifyTokens, errorInfo } from './lib.mjs';

const { CognitoUserPool, CognitoUser, AuthenticationDetails, CognitoUserAttribute } = cognito;

function pool(o) {
  return new CognitoUserPool({ UserPoolId: o.poolId, ClientId: o.clientId, endpoint: o.endpoint });
}

function user(o, username = o.username) {
  return new CognitoUser({ Username: username, Pool: pool(o) });
}

/**
 * authenticate runs authenticateUser and settles with {session} or {newPassword:
 * {userAttributes, requiredAttributes}}; any other callback is an unexpected step.
 */
function authenticate(u, username, password) {
  return new Promise((resolve, reject) => {
    const unexpected = (name) => (...args) => reject(new Error(`unexpected callback ${name}: ${JSON.stringify(args)}`));
    u.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => resolve({ session }),
      onFailure: (err) => reject(err),
      newPasswordRequired: (userAttributes, requiredAttributes) => resolve({ newPassword: { userAttributes, requiredAttributes } }),
      mfaRequired: unexpected('mfaRequired'),
      totpRequired: unexpected('totpRequired'),
      customChallenge: unexpected('customChallenge'),
      mfaSetup: unexpected('mfaSetup'),
      selectMFAType: unexpected('selectMFAType'),
    });
  });
}

function sessionTokens(session) {
  check(session && session.isValid(), 'the session the client holds is not valid');
  return {
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
  };
}

/** signIn signs in to completion (no challenge expected) and verifies the tokens. */
async function signIn(o, { username, password, flow, source }) {
  const u = user(o, username);
  if (flow) u.setAuthenticationFlowType(flow);
  const r = await authenticate(u, username, password);
  check(r.session, `${source}: got a challenge instead of tokens: ${JSON.stringify(r)}`);
  const t = sessionTokens(r.session);
  check(t.refreshToken, `${source}: no refresh token`);
  return { u, session: r.session, tokens: await verifyTokens(o, t, { source, username }) };
}

const scenarios = {
  // The default flow (USER_SRP_AUTH), then GetUser, a refresh (REFRESH_TOKEN_AUTH) and
  // a sign-out that revokes the refresh token (RevokeToken).
  async srp(o) {
    need(o, 'password');
    const { u, session, tokens } = await signIn(o, { username: o.username, password: o.password, source: 'USER_SRP_AUTH' });
    const attrs = await new Promise((resolve, reject) => u.getUserAttributes((err, a) => (err ? reject(err) : resolve(a))));
    const email = attrs.find((a) => a.getName() === 'email')?.getValue();
    const refreshed = await new Promise((resolve, reject) => u.refreshSession(session.getRefreshToken(), (err, s) => (err ? reject(err) : resolve(s))));
    const rt = sessionTokens(refreshed);
    tokens.push(...(await verifyTokens(o, rt, { source: 'refresh', username: o.username })));
    await new Promise((resolve, reject) => u.signOut((err) => (err ? reject(err) : resolve())));
    check(u.getSignInUserSession() === null, 'signOut left a session behind');
    return { tokens, steps: ['onSuccess'], email, signedOutAccessToken: rt.accessToken };
  },

  async password(o) {
    need(o, 'password');
    const { tokens } = await signIn(o, { username: o.username, password: o.password, flow: 'USER_PASSWORD_AUTH', source: 'USER_PASSWORD_AUTH' });
    return { tokens, steps: ['onSuccess'] };
  },

  // An admin-created user signs in with the temporary password, is asked for a new
  // one, sets it and gets tokens; then signs in again with it.
  async 'new-password'(o) {
    need(o, 'password', 'newPassword');
    const u = user(o);
    const r = await authenticate(u, o.username, o.password);
    check(r.newPassword, `expected newPasswordRequired, got ${JSON.stringify(Object.keys(r))}`);
    const session = await new Promise((resolve, reject) => {
      u.completeNewPasswordChallenge(o.newPassword, {}, {
        onSuccess: resolve,
        onFailure: reject,
        newPasswordRequired: () => reject(new Error('asked for a new password again')),
        mfaRequired: () => reject(new Error('unexpected mfaRequired')),
        mfaSetup: () => reject(new Error('unexpected mfaSetup')),
        totpRequired: () => reject(new Error('unexpected totpRequired')),
      });
    });
    const tokens = await verifyTokens(o, sessionTokens(session), { source: 'NEW_PASSWORD_REQUIRED', username: o.username });
    const again = await signIn(o, { username: o.username, password: o.newPassword, source: 'USER_SRP_AUTH after new password' });
    tokens.push(...again.tokens);
    return { tokens, steps: ['newPasswordRequired', 'onSuccess'], userAttributes: r.newPassword.userAttributes, requiredAttributes: r.newPassword.requiredAttributes };
  },

  async 'forgot-password'(o) {
    need(o, 'newPassword');
    const u = user(o);
    const delivery = await new Promise((resolve, reject) => {
      u.forgotPassword({ onSuccess: () => reject(new Error('onSuccess before a code was asked for')), onFailure: reject, inputVerificationCode: resolve });
    });
    const cdd = delivery?.CodeDeliveryDetails;
    check(cdd?.DeliveryMedium === 'EMAIL' && cdd?.AttributeName === 'email', `CodeDeliveryDetails ${JSON.stringify(delivery)}`);
    const { code } = await latestCode(o, o.username, 'FORGOT_PASSWORD');
    const confirmed = await new Promise((resolve, reject) => u.confirmPassword(code, o.newPassword, { onSuccess: resolve, onFailure: reject }));
    const { tokens } = await signIn(o, { username: o.username, password: o.newPassword, source: 'USER_SRP_AUTH after reset' });
    if (o.password) {
      const old = await authenticate(user(o), o.username, o.password).then(() => null, (e) => e);
      check(old && old.code === 'NotAuthorizedException', `the old password still signs in: ${JSON.stringify(errorInfo(old))}`);
    }
    return { tokens, steps: ['inputVerificationCode', `confirmPassword:${confirmed}`, 'onSuccess'], codeDeliveryDetails: cdd };
  },

  async 'sign-up'(o) {
    need(o, 'password', 'email');
    const p = pool(o);
    const res = await new Promise((resolve, reject) => {
      p.signUp(o.username, o.password, [new CognitoUserAttribute({ Name: 'email', Value: o.email })], null, (err, r) => (err ? reject(err) : resolve(r)));
    });
    check(res.userConfirmed === false, `userConfirmed ${res.userConfirmed}`);
    check(res.userSub, 'no userSub');
    check(res.codeDeliveryDetails?.DeliveryMedium === 'EMAIL', `codeDeliveryDetails ${JSON.stringify(res.codeDeliveryDetails)}`);
    // Signing in before confirming is refused as Cognito refuses it.
    const early = await authenticate(user(o), o.username, o.password).then(() => null, (e) => e);
    check(early && early.code === 'UserNotConfirmedException', `sign-in before confirming: ${JSON.stringify(errorInfo(early))}`);
    const { code } = await latestCode(o, o.username, 'SIGN_UP');
    const confirmed = await new Promise((resolve, reject) => res.user.confirmRegistration(code, true, (err, r) => (err ? reject(err) : resolve(r))));
    check(confirmed === 'SUCCESS', `confirmRegistration gave ${JSON.stringify(confirmed)}`);
    const { tokens } = await signIn(o, { username: o.username, password: o.password, source: 'sign-in after sign-up' });
    return { tokens, steps: ['signUp:unconfirmed', `confirmRegistration:${confirmed}`, 'onSuccess'], userSub: res.userSub, codeDeliveryDetails: res.codeDeliveryDetails, earlyError: errorInfo(early) };
  },

  async 'wrong-password'(o) {
    need(o, 'password');
    const err = await authenticate(user(o), o.username, o.password).then(() => null, (e) => e);
    check(err, 'a wrong password signed in');
    check(err.code === 'NotAuthorizedException' && err.name === 'NotAuthorizedException', `error ${JSON.stringify(errorInfo(err))}`);
    check(err.message === 'Incorrect username or password.', `message ${JSON.stringify(err.message)}`);
    return { rejected: errorInfo(err) };
  },
};

await run('identity-js', scenarios);
