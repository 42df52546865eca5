// A real, certified OpenID provider (node `oidc-provider`, version pinned in
// package.json) for the tests of auth-oidc: `node provider.mjs <port> <redirect-uri>...`.
// Prints `listening on <issuer>` once it answers.
//
// Its development login and consent pages (devInteractions) take any login name and
// password; the accounts below give each login its claims:
// - alice: a verified address; bob: an address the provider did not verify;
// - carol, dave, erin, frank: verified addresses (the web layer's tests);
// - anything else: no address at all.
// Every sign-in's ID token carries `amr` (RFC 8176): `["pwd", "otp", "mfa"]` for frank
// (a sign-in with several factors), `["pwd"]` for everyone else.
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

const amrOf = (login) => (login === 'frank' ? ['pwd', 'otp', 'mfa'] : ['pwd']);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'rp',
      client_secret: 'rp-secret',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...(accounts[id] ?? {}) };
      },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // The address in the ID token itself, not only at the userinfo endpoint.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  // Short-lived keys would not matter here; one generated signing key per run.
});

// The development login page finishes the login with an account id only; the methods
// it used (`amr`, kept in the provider's session and put in the ID token) are added
// here.
const interactionFinished = provider.interactionFinished.bind(provider);
provider.interactionFinished = (req, res, result, options) => {
  if (result?.login?.accountId) {
    result.login.amr = amrOf(result.login.accountId);
  }
  return interactionFinished(req, res, result, options);
};

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
