// Group and custom-attribute claims as real clients receive them: a user signs in
// (SRP) with amazon-cognito-identity-js or aws-amplify v6, the tokens are verified
// against the pool's JWKS (lib.mjs verifyTokens), and the claims an app reads for
// authorization are returned: cognito:groups (id and access token), cognito:roles,
// cognito:preferred_role and every custom:* claim of the id token.
//
//   node claims.mjs identity-js|amplify --endpoint URL --pool-id ID --client-id ID \
//        --username NAME --password P
//
// Prints one JSON result line (see lib.mjs).

import cognito from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { signIn, fetchAuthSession } from 'aws-amplify/auth';
import { decodeJwt } from 'jose';
import { run, need, check, verifyTokens } from './lib.mjs';

/** authorization picks the claims an app authorizes with from verified tokens. */
function authorization(idToken, accessToken) {
  const id = decodeJwt(idToken);
  const access = decodeJwt(accessToken);
  const custom = Object.fromEntries(Object.entries(id).filter(([k]) => k.startsWith('custom:')));
  return {
    idGroups: id['cognito:groups'] ?? null,
    accessGroups: access['cognito:groups'] ?? null,
    roles: id['cognito:roles'] ?? null,
    preferredRole: id['cognito:preferred_role'] ?? null,
    emailVerified: id.email_verified ?? null,
    custom,
  };
}

function identityJsTokens(o) {
  const pool = new cognito.CognitoUserPool({ UserPoolId: o.poolId, ClientId: o.clientId, endpoint: o.endpoint });
  const user = new cognito.CognitoUser({ Username: o.username, Pool: pool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new cognito.AuthenticationDetails({ Username: o.username, Password: o.password }), {
      onSuccess: (s) => resolve({ idToken: s.getIdToken().getJwtToken(), accessToken: s.getAccessToken().getJwtToken() }),
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected newPasswordRequired')),
      mfaRequired: () => reject(new Error('unexpected mfaRequired')),
      totpRequired: () => reject(new Error('unexpected totpRequired')),
    });
  });
}

async function amplifyTokens(o) {
  Amplify.configure({ Auth: { Cognito: { userPoolId: o.poolId, userPoolClientId: o.clientId, userPoolEndpoint: o.endpoint } } });
  const out = await signIn({ username: o.username, password: o.password });
  check(out.isSignedIn && out.nextStep?.signInStep === 'DONE', `not signed in: ${JSON.stringify(out)}`);
  const s = await fetchAuthSession();
  return { idToken: s.tokens.idToken.toString(), accessToken: s.tokens.accessToken.toString() };
}

async function claims(o, tokensOf, source) {
  need(o, 'password');
  const t = await tokensOf(o);
  const tokens = await verifyTokens(o, t, { source, username: o.username });
  return { tokens, claims: authorization(t.idToken, t.accessToken) };
}

run('claims', {
  'identity-js': (o) => claims(o, identityJsTokens, 'identity-js USER_SRP_AUTH'),
  amplify: (o) => claims(o, amplifyTokens, 'amplify USER_SRP_AUTH'),
});
