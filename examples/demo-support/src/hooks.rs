//! The demos' hooks into the engine: `--sign-up-domain` as a before-registration veto.

use async_trait::async_trait;
use auth_core::hooks::{Hooks, SignUp, Veto};

/// Opens self-service sign-up only to addresses at the given domains.
#[derive(Debug)]
pub(crate) struct SignUpDomains {
    /// Lower-case domains, without a leading `@`.
    domains: Vec<String>,
}

impl SignUpDomains {
    /// Sign-up for `domains` (case and a leading `@` do not matter).
    pub(crate) fn new(domains: &[String]) -> Self {
        Self {
            domains: domains
                .iter()
                .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
        }
    }

    fn allows(&self, email: &str) -> bool {
        email
            .rsplit_once('@')
            .is_some_and(|(_, domain)| self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain)))
    }
}

#[async_trait]
impl Hooks for SignUpDomains {
    async fn before_registration(&self, sign_up: &SignUp<'_>) -> Result<(), Veto> {
        if self.allows(sign_up.email) {
            return Ok(());
        }
        Err(Veto::new(format!(
            "Sign-up is open to addresses at {} only.",
            self.domains.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_domains_exactly() {
        let hooks = SignUpDomains::new(&["@Example.com".to_owned(), " corp.test ".to_owned()]);
        assert!(hooks.allows("ada@example.com"));
        assert!(hooks.allows("bob@CORP.test"));
        assert!(!hooks.allows("eve@example.com.evil.test"));
        assert!(!hooks.allows("eve@sub.example.com"));
        assert!(!hooks.allows("no-at-sign"));
    }
}
