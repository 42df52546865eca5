// A real, certified OpenID provider (node `oidc-provider`, version pinned in
// package.json) for the tests of auth-oidc: `node provider.mjs <port> <redirect-uri>...`.
// Prints `listening on <issuer>` once it answers.
//
// Its development login and consent pages (devInteractions) take any login name and
// password; the accounts below give each login its claims:
// - alice: a verified address; bob: an address the provider did not verify;
// - carol, dave: verified addresses (the web layer's tests);
// - erin: a verified address, and a sign-in the provider reports as multi-factor (its
//   ID tokens carry `amr` ["pwd", "otp", "mfa"]);
// - frank: a verified address, and a sign-in reported as password only (`amr` ["pwd"]);
// - anything else: no address at all.
// The other logins' ID tokens carry no `amr`.
//
// Two clients: `rp` (secret `rp-secret`) and `rp2` (secret `rp2-secret`), both with the
// given redirect URIs, so that one site can register the provider twice under two
// names (the mix-up tests).
import Provider from 'oidc-provider';

const [port, ...redirectUris] = process.argv.slice(2);
if (!port || redirectUris.length === 0) {
  console.error('usage: node provider.mjs <port> <redirect-uri>...');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const accounts = {
  alice: { email: 'alice@example.test', email_verified: true },
  bob: { email: 'bob@example.test', email_verified: false },
  carol: { email: 'carol@example.test', email_verified: true },
  dave: { email: 'dave@example.test', email_verified: true },
  erin: { email: 'erin@example.test', email_verified: true },
  frank: { email: 'frank@example.test', email_verified: true },
};

// The authentication methods the provider reports for a login (`amr`), if any.
const amrs = {
  erin: ['pwd', 'otp', 'mfa'],
  frank: ['pwd'],
};

const client = (id, secret) => ({
  client_id: id,
  client_secret: secret,
  redirect_uris: redirectUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const provider = new Provider(issuer, {
  clients: [client('rp', 'rp-secret'), client('rp2', 'rp2-secret')],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...(accounts[id] ?? {}) };
      },
    };
  },
  // `amr` goes with `openid`: in the ID token whenever the login has one.
  claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'] },
  // The address in the ID token itself, not only at the userinfo endpoint.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  // Short-lived keys would not matter here; one generated signing key per run.
});

// The development login page reports no methods; the login's own `amr` goes with it
// into the session, and from there into the ID tokens.
const finished = provider.interactionFinished.bind(provider);
provider.interactionFinished = (req, res, result, options) => {
  const amr = result.login && amrs[result.login.accountId];
  const withAmr = amr ? { ...result, login: { ...result.login, amr } } : result;
  return finished(req, res, withAmr, options);
};

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
