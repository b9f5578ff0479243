// Interop: choice-based sign-in (USER_AUTH) through aws-amplify v6 against the
// authbench emulator.
//
//   node passwordless.mjs <scenario> --endpoint URL --pool-id ID --client-id ID \
//        --username NAME [--password P] [--email ADDR]
//
// Scenarios:
//   select-email-otp  no preference: CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION,
//                     choose EMAIL_OTP, CONFIRM_SIGN_IN_WITH_EMAIL_CODE, the code from
//                     the outbox, DONE
//   select-password   first-factor selection, choose PASSWORD,
//                     CONFIRM_SIGN_IN_WITH_PASSWORD, the password, DONE
//   password          preferredChallenge PASSWORD (the password goes in InitiateAuth)
//   password-srp      preferredChallenge PASSWORD_SRP (SRP under USER_AUTH)
//   sms-otp           preferredChallenge SMS_OTP: CONFIRM_SIGN_IN_WITH_SMS_CODE, DONE
//   sign-up           signUp with autoSignIn USER_AUTH, confirmSignUp, autoSignIn: the
//                     Session from ConfirmSignUp signs in with no factor
// Prints one JSON line (see lib.mjs).

import { Amplify } from 'aws-amplify';
import { signIn, confirmSignIn, signUp, confirmSignUp, autoSignIn, fetchAuthSession, getCurrentUser } from 'aws-amplify/auth';
import { run, need, check, latestCode, verifyTokens } from './lib.mjs';

function configure(o) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: o.poolId, userPoolClientId: o.clientId, userPoolEndpoint: o.endpoint } },
  });
}

async function signedIn(o, out, source) {
  check(out.isSignedIn === true && out.nextStep?.signInStep === 'DONE', `${source}: not signed in: ${JSON.stringify(out)}`);
  const cur = await getCurrentUser();
  check(cur.username === o.username, `getCurrentUser().username ${cur.username}, want ${o.username}`);
  const s = await fetchAuthSession();
  check(s.tokens?.idToken && s.tokens?.accessToken, `fetchAuthSession has no tokens: ${JSON.stringify(s)}`);
  return verifyTokens(o, { idToken: s.tokens.idToken.toString(), accessToken: s.tokens.accessToken.toString() }, { source, username: o.username });
}

function expectStep(out, step, what) {
  check(out.isSignedIn === false && out.nextStep?.signInStep === step, `${what}: want ${step}, got ${JSON.stringify(out)}`);
  return out.nextStep;
}

/** selection starts USER_AUTH without a preference and checks the factors offered. */
async function selection(o) {
  const out = await signIn({ username: o.username, options: { authFlowType: 'USER_AUTH' } });
  const next = expectStep(out, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION', 'signIn');
  const offered = [...(next.availableChallenges ?? [])].sort();
  check(JSON.stringify(offered) === JSON.stringify(['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']), `availableChallenges ${JSON.stringify(next.availableChallenges)}`);
  return out;
}

const scenarios = {
  async 'select-email-otp'(o) {
    configure(o);
    const first = await selection(o);
    const chosen = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
    const next = expectStep(chosen, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'choosing EMAIL_OTP');
    const cdd = next.codeDeliveryDetails;
    check(cdd?.deliveryMedium === 'EMAIL' && cdd?.destination, `codeDeliveryDetails ${JSON.stringify(cdd)}`);
    const { code, medium } = await latestCode(o, o.username, 'OTP');
    check(medium === 'EMAIL', `the code went by ${medium}`);
    const done = await confirmSignIn({ challengeResponse: code });
    return { tokens: await signedIn(o, done, 'EMAIL_OTP'), steps: [first.nextStep.signInStep, chosen.nextStep.signInStep, done.nextStep.signInStep] };
  },

  async 'select-password'(o) {
    need(o, 'password');
    configure(o);
    const first = await selection(o);
    const chosen = await confirmSignIn({ challengeResponse: 'PASSWORD' });
    expectStep(chosen, 'CONFIRM_SIGN_IN_WITH_PASSWORD', 'choosing PASSWORD');
    const done = await confirmSignIn({ challengeResponse: o.password });
    return { tokens: await signedIn(o, done, 'PASSWORD'), steps: [first.nextStep.signInStep, chosen.nextStep.signInStep, done.nextStep.signInStep] };
  },

  async password(o) {
    need(o, 'password');
    configure(o);
    const out = await signIn({ username: o.username, password: o.password, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' } });
    return { tokens: await signedIn(o, out, 'PASSWORD'), steps: [out.nextStep?.signInStep] };
  },

  async 'password-srp'(o) {
    need(o, 'password');
    configure(o);
    const out = await signIn({ username: o.username, password: o.password, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' } });
    return { tokens: await signedIn(o, out, 'PASSWORD_SRP'), steps: [out.nextStep?.signInStep] };
  },

  async 'sms-otp'(o) {
    configure(o);
    const out = await signIn({ username: o.username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'SMS_OTP' } });
    const next = expectStep(out, 'CONFIRM_SIGN_IN_WITH_SMS_CODE', 'signIn');
    check(next.codeDeliveryDetails?.deliveryMedium === 'SMS', `codeDeliveryDetails ${JSON.stringify(next.codeDeliveryDetails)}`);
    const { code, medium } = await latestCode(o, o.username, 'OTP');
    check(medium === 'SMS', `the code went by ${medium}`);
    const done = await confirmSignIn({ challengeResponse: code });
    return { tokens: await signedIn(o, done, 'SMS_OTP'), steps: [out.nextStep.signInStep, done.nextStep.signInStep] };
  },

  async 'sign-up'(o) {
    need(o, 'password', 'email');
    configure(o);
    const up = await signUp({
      username: o.username, password: o.password,
      options: { userAttributes: { email: o.email }, autoSignIn: { authFlowType: 'USER_AUTH' } },
    });
    check(up.nextStep?.signUpStep === 'CONFIRM_SIGN_UP', `signUp: ${JSON.stringify(up)}`);
    const { code } = await latestCode(o, o.username, 'SIGN_UP');
    const conf = await confirmSignUp({ username: o.username, confirmationCode: code });
    check(conf.nextStep?.signUpStep === 'COMPLETE_AUTO_SIGN_IN', `confirmSignUp: ${JSON.stringify(conf)}`);
    const auto = await autoSignIn();
    return { tokens: await signedIn(o, auto, 'sign-in after sign-up'), userSub: up.userId, steps: [up.nextStep.signUpStep, conf.nextStep.signUpStep, auto.nextStep.signInStep] };
  },
};

await run('amplify', scenarios);
