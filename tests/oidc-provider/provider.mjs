// A real, certified OpenID provider (node `oidc-provider`, version pinned in
// package.json) for the tests of auth-oidc: `node provider.mjs <port> <redirect-uri>...`.
// Prints `listening on <issuer>` once it answers.
//
// Its development login and consent pages (devInteractions) take any login name and
// password; the accounts below give each login its claims:
// - alice: a verified address; bob: an address the provider did not verify;
// - carol, dave: verified addresses (the web layer's tests);
// - anything else: no address at all.
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
};

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

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
