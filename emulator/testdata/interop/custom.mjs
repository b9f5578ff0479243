// Interop scenarios for custom authentication (CUSTOM_AUTH) against the authbench
// emulator, with aws-amplify v6 and amazon-cognito-identity-js.
//
//   node custom.mjs <scenario> --endpoint URL --pool-id ID --client-id ID \
//        --username NAME [--password P]
//
// The pool runs the declarative challenges of emulator/interop_custom_test.go: a
// riddle ("2+2?", answer 4, two attempts), then a code sent by email (read from the
// emulator's outbox).
//
// Scenarios: amplify-without-srp, amplify-with-srp, identity-js-without-srp,
// identity-js-with-srp. Prints one JSON result line (see lib.mjs).

import { Amplify } from 'aws-amplify';
import { signIn, confirmSignIn, fetchAuthSession, getCurrentUser } from 'aws-amplify/auth';
import cognito from 'amazon-cognito-identity-js';
import { run, need, check, latestCode, verifyTokens } from './lib.mjs';

const { CognitoUserPool, CognitoUser, AuthenticationDetails } = cognito;

const riddleAnswer = '4';
const codePurpose = 'CUSTOM_CHALLENGE';

async function amplify(o, authFlowType) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: o.poolId, userPoolClientId: o.clientId, userPoolEndpoint: o.endpoint } },
  });
  const steps = [];
  const input = { username: o.username, options: { authFlowType } };
  if (authFlowType === 'CUSTOM_WITH_SRP') input.password = o.password;
  let out = await signIn(input);
  steps.push(out.nextStep?.signInStep);
  check(out.nextStep?.signInStep === 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', `signIn: ${JSON.stringify(out)}`);
  check(out.nextStep.additionalInfo?.question === '2+2?', `riddle parameters: ${JSON.stringify(out.nextStep.additionalInfo)}`);
  // A wrong answer: the round allows another try.
  out = await confirmSignIn({ challengeResponse: '5' });
  steps.push(out.nextStep?.signInStep);
  check(out.nextStep?.additionalInfo?.question === '2+2?', `after a wrong answer: ${JSON.stringify(out)}`);
  out = await confirmSignIn({ challengeResponse: riddleAnswer });
  steps.push(out.nextStep?.signInStep);
  check(out.nextStep?.additionalInfo?.CODE_DELIVERY_DELIVERY_MEDIUM === 'EMAIL', `code round: ${JSON.stringify(out)}`);
  const { code } = await latestCode(o, o.username, codePurpose);
  out = await confirmSignIn({ challengeResponse: code });
  steps.push(out.nextStep?.signInStep);
  check(out.isSignedIn === true && out.nextStep?.signInStep === 'DONE', `not signed in: ${JSON.stringify(out)}`);
  const cur = await getCurrentUser();
  check(cur.username === o.username, `getCurrentUser().username ${cur.username}`);
  const s = await fetchAuthSession();
  const tokens = await verifyTokens(o, { idToken: s.tokens.idToken.toString(), accessToken: s.tokens.accessToken.toString() }, { source: authFlowType, username: o.username });
  return { tokens, steps };
}

async function identityJS(o, withSRP) {
  const pool = new CognitoUserPool({ UserPoolId: o.poolId, ClientId: o.clientId, endpoint: o.endpoint });
  const u = new CognitoUser({ Username: o.username, Pool: pool });
  u.setAuthenticationFlowType('CUSTOM_AUTH');
  const steps = [];
  const answers = ['5', riddleAnswer, null]; // null: the emailed code
  const session = await new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (s) => { steps.push('onSuccess'); resolve(s); },
      onFailure: (err) => reject(err),
      customChallenge: (params) => {
        steps.push('customChallenge');
        const next = answers.shift();
        if (next === null) {
          check(params.CODE_DELIVERY_DELIVERY_MEDIUM === 'EMAIL', `code round: ${JSON.stringify(params)}`);
          latestCode(o, o.username, codePurpose).then(({ code }) => u.sendCustomChallengeAnswer(code, callbacks), reject);
          return;
        }
        if (next === undefined) {
          reject(new Error(`one challenge too many: ${JSON.stringify(params)}`));
          return;
        }
        if (!params.question) {
          reject(new Error(`riddle parameters: ${JSON.stringify(params)}`));
          return;
        }
        u.sendCustomChallengeAnswer(next, callbacks);
      },
      mfaRequired: () => reject(new Error('unexpected mfaRequired')),
      totpRequired: () => reject(new Error('unexpected totpRequired')),
      newPasswordRequired: () => reject(new Error('unexpected newPasswordRequired')),
    };
    const details = new AuthenticationDetails({ Username: o.username, Password: withSRP ? o.password : undefined });
    if (withSRP) u.authenticateUser(details, callbacks);
    else u.initiateAuth(details, callbacks);
  });
  check(session.isValid(), 'the session is not valid');
  const tokens = await verifyTokens(o, { idToken: session.getIdToken().getJwtToken(), accessToken: session.getAccessToken().getJwtToken() },
    { source: withSRP ? 'CUSTOM_AUTH with SRP' : 'CUSTOM_AUTH', username: o.username });
  return { tokens, steps };
}

await run('custom', {
  'amplify-without-srp': (o) => amplify(o, 'CUSTOM_WITHOUT_SRP'),
  'amplify-with-srp': (o) => { need(o, 'password'); return amplify(o, 'CUSTOM_WITH_SRP'); },
  'identity-js-without-srp': (o) => identityJS(o, false),
  'identity-js-with-srp': (o) => { need(o, 'password'); return identityJS(o, true); },
});
