// Shared helpers of the interop scenarios: arguments, the emulator's outbox, token
// verification against the pool's JWKS, and the one-line JSON result.
//
// Every scenario script prints exactly one JSON line on stdout (the result) and
// exits 0 when the client behaved as it would against Cognito, or prints
// {"ok":false,...} and exits 1 with the reason on stderr. Library chatter that goes
// to console.log is moved to stderr so that stdout carries the result alone.

import { parseArgs } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const realLog = console.log.bind(console);
console.log = (...args) => console.error(...args);
console.info = (...args) => console.error(...args);

/** The options every scenario takes; each may also come from AUTHBENCH_<NAME>. */
const optionNames = ['endpoint', 'pool-id', 'client-id', 'username', 'password', 'new-password', 'email'];

/**
 * parse reads `<scenario> --endpoint URL --pool-id ID ...` from argv (env
 * AUTHBENCH_ENDPOINT etc. fill what argv lacks).
 */
export function parse(argv = process.argv.slice(2)) {
  const options = Object.fromEntries(optionNames.map((n) => [n, { type: 'string' }]));
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const get = (n) => values[n] ?? process.env['AUTHBENCH_' + n.toUpperCase().replaceAll('-', '_')] ?? '';
  const o = {
    scenario: positionals[0] ?? process.env.AUTHBENCH_SCENARIO ?? '',
    endpoint: get('endpoint').replace(/\/+$/, ''),
    poolId: get('pool-id'),
    clientId: get('client-id'),
    username: get('username'),
    password: get('password'),
    newPassword: get('new-password'),
    email: get('email'),
  };
  for (const k of ['scenario', 'endpoint', 'poolId', 'clientId', 'username']) {
    if (!o[k]) throw new Error(`missing ${k} (argv --${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} or env)`);
  }
  return o;
}

/** need asserts that the named options are present. */
export function need(o, ...names) {
  for (const n of names) {
    if (!o[n]) throw new Error(`scenario ${o.scenario} needs ${n}`);
  }
}

/** check throws with msg unless cond holds. */
export function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

/**
 * latestCode fetches the newest message of the given purpose for username from the
 * emulator's outbox and returns its code.
 */
export async function latestCode(o, username, purpose) {
  const u = new URL(o.endpoint + '/_authbench/outbox');
  u.searchParams.set('poolId', o.poolId);
  u.searchParams.set('username', username);
  u.searchParams.set('purpose', purpose);
  u.searchParams.set('limit', '1');
  const res = await fetch(u);
  check(res.ok, `outbox: HTTP ${res.status}`);
  const body = await res.json();
  const m = body.messages?.[0];
  check(m && m.code, `outbox: no ${purpose} message for ${username}: ${JSON.stringify(body)}`);
  return { code: m.code, medium: m.medium, destination: m.destination };
}

const jwksCache = new Map();

/** issuer is the iss the pool's tokens must carry. */
export function issuer(o) {
  return `${o.endpoint}/${o.poolId}`;
}

/**
 * verifyTokens verifies an id and an access token with jose against the pool's JWKS
 * (fetched from the emulator at <iss>/.well-known/jwks.json), checking the claims a
 * Cognito resource server checks; it returns a summary of each for the Go test.
 * `source` says how the client obtained them (sign-in, refresh...).
 */
export async function verifyTokens(o, { idToken, accessToken }, { source, username }) {
  const iss = issuer(o);
  let jwks = jwksCache.get(iss);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(iss + '/.well-known/jwks.json'));
    jwksCache.set(iss, jwks);
  }
  check(typeof idToken === 'string' && idToken, `${source}: no id token`);
  check(typeof accessToken === 'string' && accessToken, `${source}: no access token`);

  const id = await jwtVerify(idToken, jwks, { issuer: iss, audience: o.clientId, algorithms: ['RS256'], requiredClaims: ['sub', 'exp', 'iat'] })
    .catch((e) => { throw new Error(`${source}: id token does not verify: ${e.code ?? ''} ${e.message}`); });
  check(id.payload.token_use === 'id', `${source}: id token has token_use ${id.payload.token_use}`);
  check(id.payload['cognito:username'] === username, `${source}: id token cognito:username ${id.payload['cognito:username']}, want ${username}`);

  const access = await jwtVerify(accessToken, jwks, { issuer: iss, algorithms: ['RS256'], requiredClaims: ['sub', 'exp', 'iat', 'client_id'] })
    .catch((e) => { throw new Error(`${source}: access token does not verify: ${e.code ?? ''} ${e.message}`); });
  check(access.payload.token_use === 'access', `${source}: access token has token_use ${access.payload.token_use}`);
  check(access.payload.client_id === o.clientId, `${source}: access token client_id ${access.payload.client_id}, want ${o.clientId}`);
  check(access.payload.username === username, `${source}: access token username ${access.payload.username}, want ${username}`);
  check(access.payload.sub === id.payload.sub, `${source}: id and access tokens name different subs`);

  const pick = (p, kid) => ({
    verified: true,
    kid,
    iss: p.iss,
    sub: p.sub,
    token_use: p.token_use,
    aud: p.aud,
    client_id: p.client_id,
    username: p.username ?? p['cognito:username'],
  });
  return [
    { source, kind: 'id', ...pick(id.payload, id.protectedHeader.kid) },
    { source, kind: 'access', ...pick(access.payload, access.protectedHeader.kid) },
  ];
}

/** errorInfo reduces a client's error to what the Go test compares. */
export function errorInfo(err) {
  return { name: err?.name, code: err?.code, message: err?.message };
}

/**
 * run executes one scenario of a client: fn(o) returns the result fields. It prints
 * the result line and exits.
 */
export async function run(client, scenarios) {
  let o = { scenario: process.argv[2] };
  try {
    o = parse();
    const fn = scenarios[o.scenario];
    if (!fn) throw new Error(`unknown scenario ${JSON.stringify(o.scenario)}; have ${Object.keys(scenarios).join(', ')}`);
    const out = await fn(o);
    finish(0, { client, scenario: o.scenario, ok: true, ...out });
  } catch (err) {
    console.error(`${client} ${o.scenario}: FAIL: ${err?.stack ?? err}`);
    finish(1, { client, scenario: o.scenario, ok: false, error: String(err?.message ?? err) });
  }
}

function finish(code, result) {
  realLog(JSON.stringify(result));
  // Exit now: the clients leave timers behind (Amplify's auto sign-in listener waits
  // minutes) that would keep the process alive.
  process.exit(code);
}
