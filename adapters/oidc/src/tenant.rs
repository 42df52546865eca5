//! Multi-tenant issuers (Microsoft Entra ID's `common` and `organizations`): the
//! discovery document states the issuer as a template,
//! `https://login.microsoftonline.com/{tenantid}/v2.0`, and each ID token's `iss` is that
//! template with the person's tenant, which the token also names in its `tid` claim.
//!
//! `openidconnect` refuses such a document in `discover_async` (its issuer is not the
//! URL it was fetched from) and such a token in its verifier (the `iss` is not the
//! client's issuer). So the document is fetched and parsed here (the crate's
//! `CoreProviderMetadata`, keys by its `JsonWebKeySet::fetch_async`), and the token is
//! verified by the crate with `require_issuer_match(false)` (signature, audience,
//! expiry, nonce still checked), then its `iss` compared with the template filled with
//! its own `tid`.

use openidconnect::core::{
    CoreGenderClaim, CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{AdditionalClaims, IdToken, IssuerUrl, JsonWebKeySet, Nonce};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The slot of the tenant in the issuer template.
const SLOT: &str = "{tenantid}";

/// The `tid` claim.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TenantClaims {
    tid: Option<String>,
}

impl AdditionalClaims for TenantClaims {}

type TenantIdToken = IdToken<
    TenantClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// Whether `issuer` (as configured, e.g. `.../common/v2.0`) fits `template` (the
/// document's, `.../{tenantid}/v2.0`): the same text around the slot.
fn fits(template: &str, issuer: &str) -> bool {
    template.split_once(SLOT).is_some_and(|(before, after)| {
        issuer.len() > before.len() + after.len()
            && issuer.starts_with(before)
            && issuer.ends_with(after)
    })
}

/// A tenant id as it may fill the slot: letters, digits and `-` (Entra ID's are GUIDs).
fn is_tenant_id(tid: &str) -> bool {
    !tid.is_empty() && tid.len() <= 64 && tid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Whether `iss` is `template` with some tenant id in the slot (an `iss` parameter of an
/// answer, RFC 9207, where no token names the tenant yet).
pub(crate) fn matches_some_tenant(template: &str, iss: &str) -> bool {
    template.split_once(SLOT).is_some_and(|(before, after)| {
        iss.strip_prefix(before)
            .and_then(|rest| rest.strip_suffix(after))
            .is_some_and(is_tenant_id)
    })
}

/// Fetches the discovery document of `issuer` and its keys; the document's issuer must
/// be a template that `issuer` fits.
pub(crate) async fn discover(
    name: &str,
    issuer: &IssuerUrl,
    http: &reqwest::Client,
) -> Result<CoreProviderMetadata> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.as_str().trim_end_matches('/')
    );
    let answer = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| Error::provider(name, crate::DISCOVERY, e))?;
    let answer = answer
        .error_for_status()
        .map_err(|e| Error::provider(name, crate::DISCOVERY, e))?;
    let body = answer
        .bytes()
        .await
        .map_err(|e| Error::provider(name, crate::DISCOVERY, e))?;
    let metadata: CoreProviderMetadata =
        serde_json::from_slice(&body).map_err(|e| Error::provider(name, crate::DISCOVERY, e))?;
    let template = metadata.issuer().as_str();
    if !fits(template, issuer.as_str()) {
        return Err(Error::provider(
            name,
            crate::DISCOVERY,
            format!(
                "the document's issuer {template:?} is no tenant template for {:?}",
                issuer.as_str()
            ),
        ));
    }
    let jwks = JsonWebKeySet::<CoreJsonWebKey>::fetch_async(metadata.jwks_uri(), http)
        .await
        .map_err(|e| Error::provider(name, crate::DISCOVERY, e))?;
    Ok(metadata.set_jwks(jwks))
}

/// Verifies `token` with `verifier` (its issuer check off), then its `iss` against
/// `template` filled with the token's `tid`. Returns the token's claims as the other
/// providers' are.
pub(crate) fn verify<'t>(
    name: &str,
    token: &'t CoreIdToken,
    verifier: &CoreIdTokenVerifier<'_>,
    nonce: &Nonce,
    template: &str,
) -> Result<&'t openidconnect::core::CoreIdTokenClaims> {
    let verifier = verifier.clone().require_issuer_match(false);
    let claims = token
        .claims(&verifier, nonce)
        .map_err(|e| Error::provider(name, "ID token", e))?;
    // The same token, read for its `tid` (the crate's core types drop unknown claims).
    let raw = serde_json::to_value(token)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or_else(|| Error::provider(name, "ID token", "unreadable ID token"))?;
    let with_tenant: TenantIdToken = raw
        .parse()
        .map_err(|e| Error::provider(name, "ID token", e))?;
    let tid = with_tenant
        .claims(&verifier, nonce)
        .map_err(|e| Error::provider(name, "ID token", e))?
        .additional_claims()
        .tid
        .clone()
        .filter(|t| is_tenant_id(t))
        .ok_or_else(|| Error::provider(name, "ID token", "no tenant id (tid)"))?;
    if claims.issuer().as_str() != template.replacen(SLOT, &tid, 1) {
        return Err(Error::provider(
            name,
            "ID token",
            "the issuer is not the template with the token's tenant",
        ));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";

    #[test]
    fn configured_issuers_fit_the_template() {
        assert!(fits(
            TEMPLATE,
            "https://login.microsoftonline.com/common/v2.0"
        ));
        assert!(fits(
            TEMPLATE,
            "https://login.microsoftonline.com/organizations/v2.0"
        ));
        assert!(!fits(TEMPLATE, "https://evil.example/common/v2.0"));
        assert!(!fits(TEMPLATE, "https://login.microsoftonline.com/v2.0"));
        assert!(
            !fits(
                "https://login.microsoftonline.com/common/v2.0",
                "https://login.microsoftonline.com/common/v2.0"
            ),
            "no slot, no template"
        );
    }

    #[test]
    fn an_iss_parameter_must_fill_the_slot_with_a_tenant_id() {
        assert!(matches_some_tenant(
            TEMPLATE,
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
        ));
        for bad in [
            "https://login.microsoftonline.com//v2.0",
            "https://login.microsoftonline.com/a/b/v2.0",
            "https://evil.example/9188040d/v2.0",
            "https://login.microsoftonline.com/9188040d/v2.0/x",
        ] {
            assert!(!matches_some_tenant(TEMPLATE, bad), "{bad}");
        }
    }
}
