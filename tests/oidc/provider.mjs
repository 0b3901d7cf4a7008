// A real OpenID Provider for the sign-in tests and for trying company sign-in by hand:
// the certified `oidc-provider` package, on 127.0.0.1, with one client and the accounts of a JSON file.
//
//   node tests/oidc/provider.mjs --accounts tests/oidc/accounts.json \
//     --redirect-uri http://127.0.0.1:8000/accounts/oidc/callback/ [--port 9000]
//
// It prints one JSON line when it listens: {"issuer": "http://127.0.0.1:PORT"}.
// - Sign in on its page with an account's id as the login (any password): the accounts file is read
//   again on every lookup, so taking an account out of it is "removed at the provider".
// - Authorization code flow only, PKCE (S256) required, ID tokens signed RS256 with a key made at start.
// - Consent is skipped, as a company's provider does for its own applications.
// - POST /test/sign {claims} answers an ID token signed with the provider's own key, so tests can
//   hand the portal tokens the provider never issued (wrong audience, expired) and see them refused
//   (`/test/sign?kid=none`: without the key's id in its header).
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { interactionPolicy } from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    accounts: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'client-id': { type: 'string', default: 'lifeline' },
    'client-secret': { type: 'string', default: 'lifeline-test-secret' },
  },
});

function accounts() {
  return JSON.parse(readFileSync(args.accounts, 'utf8'));
}

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

function b64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function sign(claims, { kid = true } = {}) {
  const header = kid ? { alg: 'RS256', kid: signingKey.kid, typ: 'JWT' } : { alg: 'RS256', typ: 'JWT' };
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

// A session whose account has been taken out of the accounts file must sign in again: with prompt=none
// that is the `login_required` error, as a company's provider answers for a removed or disabled person.
const policy = interactionPolicy.base();
policy.get('login').checks.add(new interactionPolicy.Check(
  'account_removed', 'the account no longer exists', 'login_required',
  (ctx) => (ctx.oidc.session.accountId && !ctx.oidc.account ? interactionPolicy.Check.REQUEST_PROMPT
    : interactionPolicy.Check.NO_NEED_TO_PROMPT),
));

let handler = (req, res) => { res.statusCode = 503; res.end(); };
const server = createServer((req, res) => handler(req, res));
server.listen(Number(args.port), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: args['redirect-uri'],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    interactions: { policy },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'locale', 'zoneinfo', 'team', 'groups'],
    },
    async findAccount(ctx, id) {
      const account = accounts()[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  const callback = provider.callback();
  handler = (req, res) => {
    if (req.method === 'POST' && (req.url === '/test/sign' || req.url === '/test/sign?kid=none')) {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        res.setHeader('Content-Type', 'application/jwt');
        res.end(sign(JSON.parse(body), { kid: !req.url.endsWith('kid=none') }));
      });
      return;
    }
    callback(req, res);
  };
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
