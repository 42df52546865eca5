//! [`auth_http::SignInProviders`] for [`Oidc`]: the web layer's buttons, start and
//! callback over this crate's flow.

use async_trait::async_trait;
use auth_http::{
    FinishedSignIn, ProviderAnswer, ProviderButton, ProviderFailure, SignInProviders, StartedSignIn,
};
use time::OffsetDateTime;

use crate::{Callback, Error, Oidc};

impl From<Error> for ProviderFailure {
    fn from(e: Error) -> Self {
        match e {
            Error::UnknownProvider => Self::UnknownProvider,
            Error::Store(_) | Error::Config(_) => Self::Unavailable(Box::new(e)),
            // A provider not yet discovered, or no longer answering.
            Error::Provider { step, .. } if step == crate::DISCOVERY || is_unreachable(&e) => {
                Self::Unavailable(Box::new(e))
            }
            _ => Self::Refused(Box::new(e)),
        }
    }
}

/// Whether a provider error is the provider being down, slow or failing (not a bad
/// answer): no connection, a timeout, or a 5xx from its API.
fn is_unreachable(e: &Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        // `oauth2`'s HTTP client error boxes reqwest's.
        let http = s
            .downcast_ref::<reqwest::Error>()
            .or_else(|| s.downcast_ref::<Box<reqwest::Error>>().map(|b| &**b));
        if let Some(http) = http {
            return http.is_connect()
                || http.is_timeout()
                || http.status().is_some_and(|s| s.is_server_error());
        }
        if let Some(api) = s.downcast_ref::<crate::github::ApiStatus>() {
            return api.status >= 500;
        }
        source = s.source();
    }
    false
}

#[async_trait]
impl SignInProviders for Oidc {
    fn buttons(&self) -> Vec<ProviderButton> {
        self.providers()
            .map(|p| ProviderButton {
                name: p.name.clone(),
                label: p.label.clone(),
            })
            .collect()
    }

    async fn start(
        &self,
        provider: &str,
        return_to: &str,
        now: OffsetDateTime,
    ) -> Result<StartedSignIn, ProviderFailure> {
        let started = Oidc::start(self, provider, return_to, now).await?;
        Ok(StartedSignIn {
            url: started.authorize_url.to_string(),
            binding: started.browser_binding().to_owned(),
            expires_at: started.expires_at,
        })
    }

    async fn finish(
        &self,
        provider: &str,
        answer: &ProviderAnswer,
        binding: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<FinishedSignIn, ProviderFailure> {
        let callback = Callback {
            state: answer.state.clone(),
            code: answer.code.clone(),
            iss: answer.iss.clone(),
            error: answer.error.clone(),
        };
        let finished = Oidc::finish(self, provider, &callback, binding, now).await?;
        Ok(FinishedSignIn {
            identity: finished.identity,
            sign_up: finished.sign_up,
            return_to: finished.return_to,
        })
    }
}
