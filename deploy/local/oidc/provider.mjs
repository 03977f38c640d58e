// A real OpenID Provider on loopback for the operations console's tests and the demo.
//   node provider.mjs PORT CONFIG.json
// CONFIG: { "clients": [{ "client_id", "client_secret", "redirect_uris": [...] }],
//           "users": { "login": { "name", "email", "roles": [...] } } }
// Its development sign-in form takes any password for a login listed in users; the roles claim
// comes with the "roles" scope, in the ID token and from the userinfo endpoint.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, configPath] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  claims: { openid: ['sub'], profile: ['name'], email: ['email'], roles: ['roles'] },
  scopes: ['openid', 'profile', 'email', 'roles'],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['sensors-test-cookie-key'] },
  async findAccount(ctx, id) {
    const user = config.users[id];
    if (!user) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...user }; } };
  },
});
// Loopback, plain HTTP: the console's tests run it so; a city's provider is on https.
provider.proxy = false;
provider.on('server_error', (ctx, err) => console.error(`oidc-provider server_error: ${err.message}`));
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc-provider ready at ${issuer}`));
