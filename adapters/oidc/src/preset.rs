//! Presets: the well-known providers, so that a configuration needs only the client id
//! and secret (`preset=google,client-id=...,client-secret=...`).

use std::fmt;
use std::str::FromStr;

use crate::{Error, GitHubEndpoints, Protocol, ProviderConfig};

/// Microsoft's multi-tenant issuer (work, school and personal accounts).
const MICROSOFT_COMMON: &str = "https://login.microsoftonline.com/common/v2.0";

/// A well-known provider: its issuer (or endpoints), scopes, label and protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Preset {
    /// Google (`https://accounts.google.com`), OpenID Connect.
    Google,
    /// Microsoft Entra ID, multi-tenant (`common`): each ID token's issuer carries the
    /// person's tenant ([`Protocol::TenantOpenIdConnect`]). `tenant=organizations` for
    /// work and school accounts only, `tenant=<id>` for one tenant.
    Microsoft,
    /// GitLab.com (`https://gitlab.com`; `issuer=` for a self-managed instance),
    /// OpenID Connect.
    GitLab,
    /// GitHub: plain OAuth 2.0 and its REST API ([`Protocol::GitHub`]).
    GitHub,
}

impl Preset {
    /// The preset's name, as the flag writes it (and the provider's default name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Microsoft => "microsoft",
            Self::GitLab => "gitlab",
            Self::GitHub => "github",
        }
    }

    /// The provider as the preset configures it, under `name`.
    pub fn config(
        self,
        name: &str,
        client_id: &str,
        client_secret: Option<&str>,
    ) -> ProviderConfig {
        let (issuer, label) = match self {
            Self::Google => ("https://accounts.google.com", "Google"),
            Self::Microsoft => (MICROSOFT_COMMON, "Microsoft"),
            Self::GitLab => ("https://gitlab.com", "GitLab"),
            Self::GitHub => ("https://github.com", "GitHub"),
        };
        let mut config = ProviderConfig::new(name, issuer, client_id, client_secret);
        label.clone_into(&mut config.label);
        match self {
            Self::Microsoft => config.protocol = Protocol::TenantOpenIdConnect,
            Self::GitHub => {
                config.protocol = Protocol::GitHub(GitHubEndpoints::default());
                config.scopes = vec!["read:user".into(), "user:email".into()];
            }
            Self::Google | Self::GitLab => {}
        }
        config
    }

    /// Microsoft's issuer for `tenant`: `common` and `organizations` are multi-tenant
    /// (the issuer a template), anything else one tenant (an exact issuer).
    pub(crate) fn microsoft_tenant(config: &mut ProviderConfig, tenant: &str) -> Result<(), Error> {
        if tenant.is_empty()
            || !tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(Error::Config(format!(
                "provider option tenant={tenant:?}: a tenant id or name"
            )));
        }
        config.issuer = format!("https://login.microsoftonline.com/{tenant}/v2.0");
        config.protocol = if matches!(tenant, "common" | "organizations") {
            Protocol::TenantOpenIdConnect
        } else {
            Protocol::OpenIdConnect
        };
        Ok(())
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Preset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        [Self::Google, Self::Microsoft, Self::GitLab, Self::GitHub]
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                Error::Config(format!(
                    "unknown provider preset {s:?}: google, microsoft, gitlab or github"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preset_needs_only_the_client() {
        let google = ProviderConfig::parse("preset=google,client-id=id,client-secret=s").unwrap();
        assert_eq!(google.name, "google");
        assert_eq!(google.label, "Google");
        assert_eq!(google.issuer, "https://accounts.google.com");
        assert_eq!(google.client_secret.as_deref(), Some("s"));
        assert_eq!(google.protocol, Protocol::OpenIdConnect);
        let gitlab = ProviderConfig::parse(
            "preset=gitlab,name=work,issuer=https://git.example,client-id=id,label=Work Git",
        )
        .unwrap();
        assert_eq!(
            (
                gitlab.name.as_str(),
                gitlab.issuer.as_str(),
                gitlab.label.as_str()
            ),
            ("work", "https://git.example", "Work Git")
        );
        let github = ProviderConfig::parse("preset=github,client-id=id,sign-up=false").unwrap();
        assert_eq!(
            github.protocol,
            Protocol::GitHub(GitHubEndpoints::default())
        );
        assert_eq!(github.scopes, ["read:user", "user:email"]);
        assert!(!github.sign_up);
    }

    #[test]
    fn microsoft_is_multi_tenant_unless_one_tenant_is_named() {
        let common = ProviderConfig::parse("preset=microsoft,client-id=id").unwrap();
        assert_eq!(common.issuer, MICROSOFT_COMMON);
        assert_eq!(common.protocol, Protocol::TenantOpenIdConnect);
        let orgs =
            ProviderConfig::parse("preset=microsoft,client-id=id,tenant=organizations").unwrap();
        assert_eq!(
            orgs.issuer,
            "https://login.microsoftonline.com/organizations/v2.0"
        );
        assert_eq!(orgs.protocol, Protocol::TenantOpenIdConnect);
        let one = ProviderConfig::parse(
            "preset=microsoft,client-id=id,tenant=9188040d-6c67-4c5b-b112-36a304b66dad",
        )
        .unwrap();
        assert_eq!(
            one.issuer,
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
        );
        assert_eq!(one.protocol, Protocol::OpenIdConnect);
    }

    #[test]
    fn the_plain_form_still_parses_and_mistakes_are_named() {
        let plain = ProviderConfig::parse(
            "name=corp,issuer=https://id.example,client-id=app,scopes=email groups",
        )
        .unwrap();
        assert_eq!(plain.protocol, Protocol::OpenIdConnect);
        assert_eq!(plain.scopes, ["email", "groups"]);
        for (spec, says) in [
            ("preset=facebook,client-id=id", "unknown provider preset"),
            ("preset=google", "client-id"),
            ("name=x,client-id=id", "issuer"),
            ("issuer=https://id.example,client-id=id", "name"),
            (
                "preset=google,client-id=id,tenant=common",
                "preset=microsoft",
            ),
            (
                "preset=google,client-id=id,api-url=https://x",
                "preset=github",
            ),
            ("preset=microsoft,client-id=id,tenant=a/b", "tenant"),
            (
                "preset=google,client-id=id,colour=red",
                "unknown provider option",
            ),
        ] {
            let e = ProviderConfig::parse(spec).unwrap_err().to_string();
            assert!(e.contains(says), "{spec}: {e}");
        }
    }
}
