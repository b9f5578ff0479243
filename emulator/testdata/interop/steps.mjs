// Interop: the steps Amplify makes of two exceptions (spec §1.2 rows 13 and 14), with
// aws-amplify v6 and amazon-cognito-identity-js against the authbench emulator.
//
//   node steps.mjs <client>:<scenario> --endpoint URL --pool-id ID --client-id ID \
//        --username NAME --password P
//
// Scenarios:
//   amplify:reset-password       signIn of a RESET_REQUIRED user → RESET_PASSWORD, then
//                                resetPassword + confirmResetPassword (code from the
//                                outbox) and signIn → DONE
//   amplify:confirm-sign-up      signIn of an UNCONFIRMED user → CONFIRM_SIGN_UP, then
//                                resendSignUpCode, confirmSignUp and signIn → DONE
//   identity-js:reset-password   authenticateUser fails with PasswordResetRequiredException
//   identity-js:confirm-sign-up  authenticateUser fails with UserNotConfirmedException
// Prints one JSON line (see lib.mjs).

import { Amplify } from 'aws-amplify';
import { signIn, resetPassword, confirmResetPassword, resendSignUpCode, confirmSignUp, fetchAuthSession } from 'aws-amplify/auth';
import { CognitoUserPool, CognitoUser, AuthenticationDetails } from 'amazon-cognito-identity-js';
import { run, check, latestCode, verifyTokens, errorInfo } from './lib.mjs';

const [client] = (process.argv[2] ?? '').split(':');

async function amplifyDone(o, password, source) {
  const out = await signIn({ username: o.username, password });
  check(out.isSignedIn === true && out.nextStep?.signInStep === 'DONE', `${source}: ${JSON.stringify(out)}`);
  const s = await fetchAuthSession();
  return verifyTokens(o, { idToken: s.tokens.idToken.toString(), accessToken: s.tokens.accessToken.toString() }, { source, username: o.username });
}

function identityJSFailure(o) {
  const pool = new CognitoUserPool({ UserPoolId: o.poolId, ClientId: o.clientId, endpoint: o.endpoint });
  const user = new CognitoUser({ Username: o.username, Pool: pool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: o.username, Password: o.password }), {
      onSuccess: () => reject(new Error('signed in, want a failure')),
      onFailure: (err) => resolve(errorInfo(err)),
      newPasswordRequired: () => reject(new Error('newPasswordRequired, want a failure')),
    });
  });
}

const configure = (o) => Amplify.configure({ Auth: { Cognito: { userPoolId: o.poolId, userPoolClientId: o.clientId, userPoolEndpoint: o.endpoint } } });

await run(client, {
  async 'amplify:reset-password'(o) {
    configure(o);
    const out = await signIn({ username: o.username, password: o.password });
    check(out.isSignedIn === false && out.nextStep?.signInStep === 'RESET_PASSWORD', `signIn: ${JSON.stringify(out)}`);
    const r = await resetPassword({ username: o.username });
    check(r.nextStep?.resetPasswordStep === 'CONFIRM_RESET_PASSWORD_WITH_CODE', `resetPassword: ${JSON.stringify(r)}`);
    const { code } = await latestCode(o, o.username, 'FORGOT_PASSWORD');
    await confirmResetPassword({ username: o.username, confirmationCode: code, newPassword: o.newPassword });
    const tokens = await amplifyDone(o, o.newPassword, 'after reset');
    return { steps: ['RESET_PASSWORD', 'DONE'], tokens };
  },
  async 'amplify:confirm-sign-up'(o) {
    configure(o);
    const out = await signIn({ username: o.username, password: o.password });
    check(out.isSignedIn === false && out.nextStep?.signInStep === 'CONFIRM_SIGN_UP', `signIn: ${JSON.stringify(out)}`);
    await resendSignUpCode({ username: o.username });
    const { code } = await latestCode(o, o.username, 'SIGN_UP');
    const c = await confirmSignUp({ username: o.username, confirmationCode: code });
    check(c.isSignUpComplete === true, `confirmSignUp: ${JSON.stringify(c)}`);
    const tokens = await amplifyDone(o, o.password, 'after confirming');
    return { steps: ['CONFIRM_SIGN_UP', 'DONE'], tokens };
  },
  async 'identity-js:reset-password'(o) {
    return { rejected: await identityJSFailure(o), steps: ['onFailure'] };
  },
  async 'identity-js:confirm-sign-up'(o) {
    return { rejected: await identityJSFailure(o), steps: ['onFailure'] };
  },
});
