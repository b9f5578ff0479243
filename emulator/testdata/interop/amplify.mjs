// Interop scenarios for aws-amplify v6 (Auth category) against the authbench emulator.
//
//   node amplify.mjs <scenario> --endpoint URL --pool-id ID --client-id ID \
//        --username NAME [--password P] [--new-password P] [--email ADDR]
//
// Scenarios: srp, password, new-password, forgot-password, sign-up, wrong-password.
// Prints one JSON result line (see lib.mjs). Amplify keeps its tokens in memory
// under Node (no localStorage), so each run starts signed out.

import { Amplify } from 'aws-amplify';
import {
  signIn, confirmSignIn, signUp, confirmSignUp, autoSignIn, resetPassword, confirmResetPassword,
  signOut, fetchAuthSession, getCurrentUser,
} from 'aws-amplify/auth';
import { run, need, check, latestCode, verifyTokens, errorInfo } from './lib.mjs';

function configure(o) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: o.poolId, userPoolClientId: o.clientId, userPoolEndpoint: o.endpoint } },
  });
}

/** sessionTokens returns the tokens Amplify holds now, as fetchAuthSession gives them. */
async function sessionTokens(opts) {
  const s = await fetchAuthSession(opts);
  check(s.tokens?.idToken && s.tokens?.accessToken, `fetchAuthSession has no tokens: ${JSON.stringify(s)}`);
  return { idToken: s.tokens.idToken.toString(), accessToken: s.tokens.accessToken.toString() };
}

/** signedIn checks that sign-in finished and verifies the tokens Amplify now holds. */
async function signedIn(o, out, source, username = o.username) {
  check(out.isSignedIn === true && out.nextStep?.signInStep === 'DONE', `${source}: not signed in: ${JSON.stringify(out)}`);
  const cur = await getCurrentUser();
  check(cur.username === username, `getCurrentUser().username ${cur.username}, want ${username}`);
  return verifyTokens(o, await sessionTokens(), { source, username });
}

/** signOutClean signs out and checks that Amplify no longer holds tokens. */
async function signOutClean() {
  await signOut();
  const s = await fetchAuthSession();
  check(!s.tokens, `tokens left after signOut: ${JSON.stringify(s.tokens)}`);
}

const scenarios = {
  // The default flow (USER_SRP_AUTH), then a forced refresh and a sign-out (which
  // revokes the refresh token).
  async srp(o) {
    need(o, 'password');
    configure(o);
    const out = await signIn({ username: o.username, password: o.password });
    const steps = [out.nextStep?.signInStep];
    const tokens = await signedIn(o, out, 'USER_SRP_AUTH');
    const refreshed = await sessionTokens({ forceRefresh: true });
    tokens.push(...(await verifyTokens(o, refreshed, { source: 'refresh', username: o.username })));
    await signOutClean();
    return { tokens, steps, signedOutAccessToken: refreshed.accessToken };
  },

  async password(o) {
    need(o, 'password');
    configure(o);
    const out = await signIn({ username: o.username, password: o.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    return { tokens: await signedIn(o, out, 'USER_PASSWORD_AUTH'), steps: [out.nextStep?.signInStep] };
  },

  async 'new-password'(o) {
    need(o, 'password', 'newPassword');
    configure(o);
    const first = await signIn({ username: o.username, password: o.password });
    check(first.isSignedIn === false && first.nextStep?.signInStep === 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED',
      `signIn with the temporary password: ${JSON.stringify(first)}`);
    const done = await confirmSignIn({ challengeResponse: o.newPassword });
    const tokens = await signedIn(o, done, 'NEW_PASSWORD_REQUIRED');
    await signOutClean();
    const again = await signIn({ username: o.username, password: o.newPassword });
    tokens.push(...(await signedIn(o, again, 'USER_SRP_AUTH after new password')));
    return {
      tokens,
      steps: [first.nextStep.signInStep, done.nextStep.signInStep, again.nextStep.signInStep],
      missingAttributes: first.nextStep.missingAttributes ?? [],
    };
  },

  async 'forgot-password'(o) {
    need(o, 'newPassword');
    configure(o);
    const reset = await resetPassword({ username: o.username });
    check(reset.isPasswordReset === false && reset.nextStep?.resetPasswordStep === 'CONFIRM_RESET_PASSWORD_WITH_CODE',
      `resetPassword: ${JSON.stringify(reset)}`);
    const cdd = reset.nextStep.codeDeliveryDetails;
    check(cdd?.deliveryMedium === 'EMAIL' && cdd?.attributeName === 'email', `codeDeliveryDetails ${JSON.stringify(cdd)}`);
    const { code } = await latestCode(o, o.username, 'FORGOT_PASSWORD');
    await confirmResetPassword({ username: o.username, confirmationCode: code, newPassword: o.newPassword });
    if (o.password) {
      const old = await signIn({ username: o.username, password: o.password }).then(() => null, (e) => e);
      check(old && old.name === 'NotAuthorizedException', `the old password still signs in: ${JSON.stringify(errorInfo(old))}`);
    }
    const out = await signIn({ username: o.username, password: o.newPassword });
    const tokens = await signedIn(o, out, 'USER_SRP_AUTH after reset');
    return { tokens, steps: [reset.nextStep.resetPasswordStep, out.nextStep.signInStep], codeDeliveryDetails: cdd };
  },

  // signUp with autoSignIn: CONFIRM_SIGN_UP, then confirmSignUp says
  // COMPLETE_AUTO_SIGN_IN, and autoSignIn signs in (SRP, with the sign-up password).
  async 'sign-up'(o) {
    need(o, 'password', 'email');
    configure(o);
    const up = await signUp({
      username: o.username, password: o.password,
      options: { userAttributes: { email: o.email }, autoSignIn: true },
    });
    check(up.isSignUpComplete === false && up.nextStep?.signUpStep === 'CONFIRM_SIGN_UP', `signUp: ${JSON.stringify(up)}`);
    check(up.userId, 'signUp gave no userId');
    const cdd = up.nextStep.codeDeliveryDetails;
    check(cdd?.deliveryMedium === 'EMAIL' && cdd?.attributeName === 'email', `codeDeliveryDetails ${JSON.stringify(cdd)}`);
    const { code } = await latestCode(o, o.username, 'SIGN_UP');
    const conf = await confirmSignUp({ username: o.username, confirmationCode: code });
    check(conf.isSignUpComplete === true && conf.nextStep?.signUpStep === 'COMPLETE_AUTO_SIGN_IN', `confirmSignUp: ${JSON.stringify(conf)}`);
    const auto = await autoSignIn();
    const tokens = await signedIn(o, auto, 'sign-in after sign-up');
    return { tokens, userSub: up.userId, steps: [up.nextStep.signUpStep, conf.nextStep.signUpStep, auto.nextStep.signInStep], codeDeliveryDetails: cdd };
  },

  async 'wrong-password'(o) {
    need(o, 'password');
    configure(o);
    const err = await signIn({ username: o.username, password: o.password }).then((out) => { throw new Error(`a wrong password signed in: ${JSON.stringify(out)}`); }, (e) => e);
    check(err.name === 'NotAuthorizedException', `error ${JSON.stringify(errorInfo(err))}`);
    check(err.message === 'Incorrect username or password.', `message ${JSON.stringify(err.message)}`);
    const s = await fetchAuthSession();
    check(!s.tokens, 'tokens after a failed sign-in');
    return { rejected: errorInfo(err) };
  },
};

await run('amplify', scenarios);
