//! Plain OAuth 2.0 with GitHub's REST API (GitHub is no OpenID provider): the
//! Authorization Code flow with PKCE and `state` over the [`oauth2`] crate, then the
//! profile (`GET /user`: the stable numeric id) and the addresses (`GET /user/emails`).
//! Only the primary address is used, and only when GitHub verified it.

use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    AccessToken, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse as _, TokenUrl,
};
use serde::Deserialize;

use crate::{Error, GitHubEndpoints, ProviderConfig, Result};

/// The client: authorization and token endpoints set.
type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The REST API version the answers below are shaped by.
const API_VERSION: &str = "2022-11-28";

/// A provider speaking plain OAuth 2.0 with GitHub's API.
pub(crate) struct GitHub {
    client: Client,
    api: url::Url,
}

/// A non-success answer of the API (the status is kept: a 5xx is the provider being
/// unavailable, anything else a refusal).
#[derive(Debug, thiserror::Error)]
#[error("the API answered {status}")]
pub(crate) struct ApiStatus {
    pub(crate) status: u16,
}

/// `GET /user`, the part used.
#[derive(Deserialize)]
struct User {
    id: u64,
}

/// One entry of `GET /user/emails`.
#[derive(Debug, Deserialize)]
struct Email {
    email: String,
    primary: bool,
    verified: bool,
}

/// The person as GitHub describes them: the numeric id, and the primary address with
/// whether GitHub verified it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Profile {
    pub(crate) subject: String,
    pub(crate) email: Option<String>,
    pub(crate) email_verified: bool,
}

impl GitHub {
    /// The client of `config`'s endpoints, answering to `redirect`.
    pub(crate) fn new(
        config: &ProviderConfig,
        endpoints: &GitHubEndpoints,
        redirect: RedirectUrl,
    ) -> Result<Self> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            Error::Config(format!("provider {}: {what}: {e}", config.name))
        };
        let auth =
            AuthUrl::new(endpoints.authorize_url.clone()).map_err(|e| bad("authorize-url", &e))?;
        let token = TokenUrl::new(endpoints.token_url.clone()).map_err(|e| bad("token-url", &e))?;
        let mut api = url::Url::parse(&endpoints.api_url).map_err(|e| bad("api-url", &e))?;
        if !api.path().ends_with('/') {
            let path = format!("{}/", api.path());
            api.set_path(&path);
        }
        let mut client = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_auth_uri(auth)
            .set_token_uri(token)
            .set_redirect_uri(redirect)
            // GitHub takes the client's credentials in the form body.
            .set_auth_type(AuthType::RequestBody);
        if let Some(secret) = &config.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        Ok(Self { client, api })
    }

    /// The authorization URL with `scopes`, `challenge` and a fresh `state`.
    pub(crate) fn authorize_url(
        &self,
        scopes: &[String],
        challenge: PkceCodeChallenge,
    ) -> (url::Url, CsrfToken) {
        let mut request = self
            .client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge);
        for scope in scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        request.url()
    }

    /// Exchanges `code` (with the PKCE verifier) and reads the person's profile; the
    /// token answer comes back too (to keep its tokens when configured).
    pub(crate) async fn identify(
        &self,
        name: &str,
        code: String,
        verifier: String,
        http: &reqwest::Client,
    ) -> Result<(Profile, BasicTokenResponse)> {
        let tokens = self
            .client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(http)
            .await
            .map_err(|e| Error::provider(name, "code exchange", e))?;
        let token = tokens.access_token();
        let user: User = self.get(name, "user", token, http).await?;
        let emails: Vec<Email> = self.get(name, "user/emails", token, http).await?;
        Ok((profile(&user, &emails), tokens))
    }

    /// `GET {api}/{path}` with the token, as JSON.
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        path: &str,
        token: &AccessToken,
        http: &reqwest::Client,
    ) -> Result<T> {
        let url = self
            .api
            .join(path)
            .map_err(|e| Error::provider(name, "profile", e))?;
        let answer = http
            .get(url)
            .bearer_auth(token.secret())
            .header(reqwest::header::ACCEPT, "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION)
            // GitHub's API refuses requests without one.
            .header(reqwest::header::USER_AGENT, "auth-oidc")
            .send()
            .await
            .map_err(|e| Error::provider(name, "profile", e))?;
        let status = answer.status();
        if !status.is_success() {
            return Err(Error::provider(
                name,
                "profile",
                ApiStatus {
                    status: status.as_u16(),
                },
            ));
        }
        let body = answer
            .bytes()
            .await
            .map_err(|e| Error::provider(name, "profile", e))?;
        serde_json::from_slice(&body).map_err(|e| Error::provider(name, "profile", e))
    }
}

/// The person: the id as subject, and the primary address only if GitHub verified it
/// (an unverified or missing primary gives no address at all, so it can neither match
/// an account nor make one).
fn profile(user: &User, emails: &[Email]) -> Profile {
    let email = emails
        .iter()
        .find(|e| e.primary && e.verified)
        .map(|e| e.email.clone());
    Profile {
        subject: user.id.to_string(),
        email_verified: email.is_some(),
        email,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(email: &str, primary: bool, verified: bool) -> Email {
        Email {
            email: email.into(),
            primary,
            verified,
        }
    }

    #[test]
    fn only_a_verified_primary_address_is_used() {
        let user = User { id: 42 };
        let p = profile(
            &user,
            &[
                email("other@example.test", false, true),
                email("me@example.test", true, true),
            ],
        );
        assert_eq!(p.subject, "42");
        assert_eq!(p.email.as_deref(), Some("me@example.test"));
        assert!(p.email_verified);
        for emails in [
            vec![
                email("other@example.test", false, true),
                email("me@example.test", true, false),
            ],
            vec![email("other@example.test", false, true)],
            vec![],
        ] {
            let p = profile(&user, &emails);
            assert_eq!((p.email, p.email_verified), (None, false), "{emails:?}");
        }
    }
}
