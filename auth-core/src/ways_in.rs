//! The ways into an account, and the one rule about them: the last one stays.
//!
//! An account may be signed in to with its password (when it has a usable one), with
//! any identity linked at a provider, and with any of its passkeys. Whatever its owner
//! removes (an identity unlinked, a passkey removed), [`WaysIn::may_lose`] refuses to
//! take away the last of them; every removal of a way in asks it, so the rule lives
//! here alone.

use crate::error::{Error, Message, Result};
use crate::model::User;

/// What an account can be signed in with now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WaysIn {
    /// Whether it has a usable password.
    pub(crate) password: bool,
    /// How many identities are linked to it.
    pub(crate) identities: usize,
    /// How many passkeys it has.
    pub(crate) passkeys: usize,
}

/// The way in about to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Losing {
    /// A linked identity (refused on the field `provider`).
    Identity,
    /// A passkey (refused on the field `id`).
    Passkey,
}

impl WaysIn {
    /// The ways into `user`, with the counts of its identities and passkeys.
    pub(crate) fn of(user: &User, identities: usize, passkeys: usize) -> Self {
        Self {
            password: user.password_hash.is_usable(),
            identities,
            passkeys,
        }
    }

    /// How many ways in there are.
    pub(crate) fn count(self) -> usize {
        usize::from(self.password) + self.identities + self.passkeys
    }

    /// Whether one of the ways in counted (of the kind `losing`) may go: never the last.
    ///
    /// # Errors
    /// [`Error::Validation`] on `provider` or `id` when it is the last way in.
    pub(crate) fn may_lose(self, losing: Losing) -> Result<()> {
        if self.count() > 1 {
            return Ok(());
        }
        Err(match losing {
            Losing::Identity => {
                Error::invalid("provider", Message::new("field-provider-last_way_in"))
            }
            Losing::Passkey => Error::invalid("id", Message::new("field-id-last_way_in")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::sample_user;
    use crate::model::PasswordHash;
    use time::OffsetDateTime;

    fn field_of(e: &Error) -> Option<&str> {
        match e {
            Error::Validation(errors) => errors.errors().first().map(|e| e.field),
            _ => None,
        }
    }

    #[test]
    fn the_last_way_in_stays_whatever_it_is() {
        let mut user = sample_user(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
        // With a password, every identity and passkey may go.
        assert!(WaysIn::of(&user, 1, 0).may_lose(Losing::Identity).is_ok());
        assert!(WaysIn::of(&user, 0, 1).may_lose(Losing::Passkey).is_ok());
        user.password_hash = PasswordHash::unusable();
        let last_identity = WaysIn::of(&user, 1, 0)
            .may_lose(Losing::Identity)
            .unwrap_err();
        assert_eq!(field_of(&last_identity), Some("provider"));
        let last_passkey = WaysIn::of(&user, 0, 1)
            .may_lose(Losing::Passkey)
            .unwrap_err();
        assert_eq!(field_of(&last_passkey), Some("id"));
        // A passkey keeps the identity removable, and the other way round.
        assert!(WaysIn::of(&user, 1, 1).may_lose(Losing::Identity).is_ok());
        assert!(WaysIn::of(&user, 1, 1).may_lose(Losing::Passkey).is_ok());
        assert!(WaysIn::of(&user, 0, 2).may_lose(Losing::Passkey).is_ok());
        assert!(WaysIn::of(&user, 2, 0).may_lose(Losing::Identity).is_ok());
    }
}
