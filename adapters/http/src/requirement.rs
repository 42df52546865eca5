//! [`Requirement`]: the one access decision every framework's guards delegate to.

use std::borrow::Borrow;
use std::sync::Arc;

use auth_core::{Authenticated, User};

use crate::caller::Caller;

/// Why a guard refused a request; [`AuthWeb::deny`](crate::AuthWeb::deny) turns it into
/// the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// No valid session: HTML requests go to the sign-in page, API requests get 401.
    Unauthenticated,
    /// Signed in without a confirmed email address: 403.
    EmailNotVerified,
    /// Signed in without the required role: 403.
    Forbidden,
    /// Authenticated by an API key that lacks the scope the route requires (or on a
    /// route that names no scope, which no key opens): 403 `insufficient_scope`.
    MissingScope,
    /// Signed in with a role that requires a second factor, without one (see
    /// [`Authenticated::must_enrol_second_factor`]): HTML requests go to the enrolment
    /// page, API requests get 403 `second_factor_enrolment_required`.
    SecondFactorEnrolmentRequired,
}

/// What a route asks of the user of a request: a sign-in, optionally a role and a
/// confirmed email address.
///
/// This is the access decision of the toolkit, in one place: the guards and extractors
/// of `auth-axum`, `auth-poem` and `auth-rocket` hold a `Requirement` and call
/// [`Requirement::check`] with the user they loaded
/// ([`AuthWeb::current_user`](crate::AuthWeb::current_user)). An adapter for another
/// framework does the same, then answers a [`Denial`] with
/// [`AuthWeb::deny`](crate::AuthWeb::deny), so every framework refuses the same
/// requests with the same responses.
///
/// ```
/// use auth_http::{Denial, Requirement};
///
/// let admins = Requirement::role("admin").and_verified();
/// assert_eq!(admins.check(None), Err(Denial::Unauthenticated));
/// assert_eq!(Requirement::signed_in().check(None), Err(Denial::Unauthenticated));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirement {
    verified: bool,
    role: Option<Arc<str>>,
    scope: Option<Arc<str>>,
}

impl Requirement {
    /// Any signed-in user.
    pub fn signed_in() -> Self {
        Self::default()
    }

    /// A signed-in user with a confirmed email address.
    pub fn verified() -> Self {
        Self::signed_in().and_verified()
    }

    /// A signed-in user holding `role` (e.g. `admin`).
    pub fn role(role: impl Into<String>) -> Self {
        Self {
            role: Some(Arc::from(role.into())),
            ..Self::default()
        }
    }

    /// Signed in by a session, or authenticated by an API key carrying `scope` (e.g.
    /// `read:profile`, one of the engine's
    /// [`api_key_scopes`](auth_core::ConfigBuilder::api_key_scopes)). Only requirements
    /// with a scope admit keys; a session is admitted whatever the scope. Check with
    /// [`Requirement::admit_caller`].
    pub fn scope(scope: impl Into<String>) -> Self {
        Self::signed_in().and_scope(scope)
    }

    /// Also admit API keys that carry `scope` (see [`Requirement::scope`]).
    #[must_use]
    pub fn and_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(Arc::from(scope.into()));
        self
    }

    /// Signed in and holding the engine's configured admin role
    /// ([`ConfigBuilder::admin_role`](auth_core::ConfigBuilder::admin_role)): what the
    /// web layer's own admin pages and every adapter's admin guard require.
    pub fn admin(config: &auth_core::Config) -> Self {
        Self::role(config.admin_role())
    }

    /// Also require a confirmed email address.
    #[must_use]
    pub fn and_verified(mut self) -> Self {
        self.verified = true;
        self
    }

    /// Whether `user` (the signed-in user of the request, `None` without a valid
    /// session) meets the requirement.
    ///
    /// # Errors
    /// The first reason that applies, in this order: [`Denial::Unauthenticated`] without
    /// a user, [`Denial::SecondFactorEnrolmentRequired`] for a user who must enrol a
    /// second factor first (whatever the route), [`Denial::Forbidden`] without the role, [`Denial::EmailNotVerified`]
    /// without a confirmed address. A user who lacks both the role and a confirmed
    /// address is told about the role: confirming the address would not help.
    pub fn check(&self, user: Option<&Authenticated>) -> Result<(), Denial> {
        self.admit(user).map(drop).map_err(|(denial, _)| denial)
    }

    /// [`Requirement::check`] for a guard that goes on with the user: `user` (an
    /// `Arc<Authenticated>`, a reference or the value) back when it meets the
    /// requirement.
    ///
    /// # Errors
    /// The [`Denial`] of [`Requirement::check`], with the user handed back (`None`
    /// without a session) for [`AuthWeb::deny`](crate::AuthWeb::deny), whose page still
    /// shows who is signed in.
    pub fn admit<A>(&self, user: Option<A>) -> Result<A, (Denial, Option<A>)>
    where
        A: Borrow<Authenticated>,
    {
        let Some(a) = user else {
            return Err((Denial::Unauthenticated, None));
        };
        if a.borrow().must_enrol_second_factor {
            return Err((Denial::SecondFactorEnrolmentRequired, Some(a)));
        }
        match self.denial_for(&a.borrow().user) {
            Some(denial) => Err((denial, Some(a))),
            None => Ok(a),
        }
    }

    /// [`Requirement::admit`] for a [`Caller`], which may be an API key: a key is
    /// admitted only when the requirement names a scope the key carries, and its user
    /// must then meet the rest (role, confirmed address) like a signed-in user.
    ///
    /// # Errors
    /// [`Denial::Unauthenticated`] without a caller,
    /// [`Denial::SecondFactorEnrolmentRequired`] when its user must enrol a second factor
    /// first (a session, a bearer token or an API key alike: see
    /// [`Caller::must_enrol_second_factor`]), [`Denial::MissingScope`] for a key without
    /// the scope, then the denials of [`Requirement::check`]; the caller is handed back.
    pub fn admit_caller(&self, caller: Option<Caller>) -> Result<Caller, (Denial, Option<Caller>)> {
        let Some(c) = caller else {
            return Err((Denial::Unauthenticated, None));
        };
        if c.must_enrol_second_factor() {
            return Err((Denial::SecondFactorEnrolmentRequired, Some(c)));
        }
        if let Caller::Key(k) = &c
            && !self.scope.as_deref().is_some_and(|s| k.key.has_scope(s))
        {
            return Err((Denial::MissingScope, Some(c)));
        }
        match self.denial_for(c.user()) {
            Some(denial) => Err((denial, Some(c))),
            None => Ok(c),
        }
    }

    /// [`Requirement::admit_caller`] for a guard or extractor that gives the signed-in
    /// user: a caller admitted other than by a session (a key, which only a requirement
    /// naming its scope admits) is refused too.
    ///
    /// # Errors
    /// As [`Requirement::admit_caller`], and [`Denial::MissingScope`] (no caller handed
    /// back) for an admitted key.
    pub fn admit_session(
        &self,
        caller: Option<Caller>,
    ) -> Result<Arc<Authenticated>, (Denial, Option<Caller>)> {
        self.admit_caller(caller)?
            .into_session()
            .ok_or((Denial::MissingScope, None))
    }

    /// What `u` lacks of the requirement's role and confirmed address, role first.
    fn denial_for(&self, u: &User) -> Option<Denial> {
        if self.role.as_deref().is_some_and(|role| !u.has_role(role)) {
            Some(Denial::Forbidden)
        } else if self.verified && !u.is_verified() {
            Some(Denial::EmailNotVerified)
        } else {
            None
        }
    }
}

/// Gives an adapter's guard type (a struct with one field, `requirement:`
/// [`Requirement`]) the builders every framework's `RequireLogin` offers, and
/// `From<Requirement>`, so that the builders are written once:
///
/// ```
/// /// A guard of some framework.
/// #[derive(Debug, Clone, Default)]
/// pub struct RequireLogin {
///     requirement: auth_http::Requirement,
/// }
/// auth_http::require_login_builders!(RequireLogin);
///
/// let admins = RequireLogin::role("admin").and_verified();
/// assert_eq!(admins.requirement(), &auth_http::Requirement::role("admin").and_verified());
/// ```
#[macro_export]
macro_rules! require_login_builders {
    ($guard:ident) => {
        impl $guard {
            /// Any signed-in user ([`Requirement::signed_in`](auth_http::Requirement::signed_in)).
            pub fn new() -> Self {
                Self::from($crate::Requirement::signed_in())
            }

            /// A signed-in user with a confirmed email address
            /// ([`Requirement::verified`](auth_http::Requirement::verified)).
            pub fn verified() -> Self {
                Self::from($crate::Requirement::verified())
            }

            /// A signed-in user holding `role`, e.g. `admin`
            /// ([`Requirement::role`](auth_http::Requirement::role)).
            pub fn role(role: impl Into<String>) -> Self {
                Self::from($crate::Requirement::role(role))
            }

            /// Also require a confirmed email address.
            #[must_use]
            pub fn and_verified(self) -> Self {
                Self::from(self.requirement.and_verified())
            }

            /// Signed in by a session, or by an API key carrying `scope`
            /// ([`Requirement::scope`](auth_http::Requirement::scope)).
            pub fn scope(scope: impl Into<String>) -> Self {
                Self::from($crate::Requirement::scope(scope))
            }

            /// Also admit API keys carrying `scope`.
            #[must_use]
            pub fn and_scope(self, scope: impl Into<String>) -> Self {
                Self::from(self.requirement.and_scope(scope))
            }

            /// What the guard requires.
            pub fn requirement(&self) -> &$crate::Requirement {
                &self.requirement
            }
        }

        impl From<$crate::Requirement> for $guard {
            /// A guard for `requirement`, e.g. [`Requirement::admin`](auth_http::Requirement::admin)
            /// for the engine's configured admin role.
            fn from(requirement: $crate::Requirement) -> Self {
                Self { requirement }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use auth_core::{SessionDigest, SessionRecord, User, UserId};
    use time::OffsetDateTime;

    use super::*;

    fn signed_in(roles: &[&str], verified: bool) -> Authenticated {
        let now = OffsetDateTime::now_utc();
        let id = UserId::new();
        Authenticated {
            user: User {
                id,
                email: "ada@example.com".into(),
                username: None,
                email_verified_at: verified.then_some(now),
                roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                ..auth_core::conformance::sample_user(now)
            },
            session: SessionRecord {
                digest: SessionDigest::from_bytes([1; 32]),
                user_id: id,
                created_at: now,
                last_seen_at: now,
                expires_at: now + time::Duration::hours(1),
                idle_expires_at: now + time::Duration::hours(1),
                remember: false,
                user_agent: None,
                ip: None,
                amr: vec![auth_core::AuthMethod::Pwd],
                auth_time: now,
                proved_at: now,
            },
            must_enrol_second_factor: false,
        }
    }

    #[test]
    fn nobody_is_unauthenticated_whatever_is_required() {
        for r in [
            Requirement::signed_in(),
            Requirement::verified(),
            Requirement::role("admin"),
            Requirement::role("admin").and_verified(),
        ] {
            assert_eq!(r.check(None), Err(Denial::Unauthenticated), "{r:?}");
        }
    }

    #[test]
    fn signed_in_admits_any_user() {
        let r = Requirement::signed_in();
        assert_eq!(r.check(Some(&signed_in(&[], false))), Ok(()));
        assert_eq!(r.check(Some(&signed_in(&["admin"], true))), Ok(()));
    }

    #[test]
    fn verified_needs_a_confirmed_address() {
        let r = Requirement::verified();
        assert_eq!(
            r.check(Some(&signed_in(&["admin"], false))),
            Err(Denial::EmailNotVerified)
        );
        assert_eq!(r.check(Some(&signed_in(&[], true))), Ok(()));
        assert_eq!(Requirement::signed_in().and_verified(), r);
    }

    #[test]
    fn role_needs_that_role_and_not_a_confirmed_address() {
        let r = Requirement::role("admin");
        assert_eq!(r.check(Some(&signed_in(&[], true))), Err(Denial::Forbidden));
        assert_eq!(
            r.check(Some(&signed_in(&["editor"], true))),
            Err(Denial::Forbidden),
            "another role is not enough"
        );
        assert_eq!(r.check(Some(&signed_in(&["admin"], false))), Ok(()));
        assert_eq!(
            r.check(Some(&signed_in(&["editor", "admin"], true))),
            Ok(())
        );
    }

    #[test]
    fn role_and_verified_needs_both_and_names_the_role_first() {
        let r = Requirement::role("admin").and_verified();
        assert_eq!(
            r.check(Some(&signed_in(&[], false))),
            Err(Denial::Forbidden),
            "the role is reported before the address"
        );
        assert_eq!(r.check(Some(&signed_in(&[], true))), Err(Denial::Forbidden));
        assert_eq!(
            r.check(Some(&signed_in(&["admin"], false))),
            Err(Denial::EmailNotVerified)
        );
        assert_eq!(r.check(Some(&signed_in(&["admin"], true))), Ok(()));
    }

    fn by_key(roles: &[&str], scopes: &[&str]) -> Caller {
        by_key_of(signed_in(roles, true), scopes)
    }

    fn by_key_of(a: Authenticated, scopes: &[&str]) -> Caller {
        let token = auth_core::ApiKeyToken::generate();
        Caller::Key(Arc::new(auth_core::KeyAuthenticated {
            key: auth_core::ApiKeyRecord {
                id: token.id().to_owned(),
                digest: token.digest(),
                user_id: a.user.id,
                name: "script".into(),
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                created_at: a.session.created_at,
                expires_at: None,
                last_used_at: None,
                last_used_ip: None,
            },
            must_enrol_second_factor: a.must_enrol_second_factor,
            user: a.user,
        }))
    }

    #[test]
    fn a_user_who_must_enrol_is_refused_by_session_and_by_key_alike() {
        let mut a = signed_in(&["admin"], true);
        a.must_enrol_second_factor = true;
        let refused = |r: &Requirement, c: Caller| r.admit_caller(Some(c)).err().map(|(d, _)| d);
        let key = by_key_of(a.clone(), &["read:profile"]);
        let session = Caller::Session(Arc::new(a));
        for r in [
            Requirement::scope("read:profile"),
            Requirement::role("admin").and_scope("read:profile"),
            Requirement::scope("admin:users"),
        ] {
            assert_eq!(
                refused(&r, key.clone()),
                Some(Denial::SecondFactorEnrolmentRequired),
                "{r:?}"
            );
            assert_eq!(
                refused(&r, session.clone()),
                Some(Denial::SecondFactorEnrolmentRequired),
                "{r:?}"
            );
        }
        let enrolled = by_key(&["admin"], &["read:profile"]);
        assert_eq!(refused(&Requirement::scope("read:profile"), enrolled), None);
    }

    #[test]
    fn keys_need_a_scope_the_route_names_sessions_do_not() {
        let reader = by_key(&[], &["read:profile"]);
        let missing =
            |r: &Requirement, c: &Caller| r.admit_caller(Some(c.clone())).err().map(|(d, _)| d);
        assert_eq!(
            missing(&Requirement::signed_in(), &reader),
            Some(Denial::MissingScope)
        );
        assert_eq!(
            missing(&Requirement::scope("admin:users"), &reader),
            Some(Denial::MissingScope)
        );
        assert_eq!(missing(&Requirement::scope("read:profile"), &reader), None);
        assert_eq!(
            missing(
                &Requirement::role("admin").and_scope("read:profile"),
                &reader
            ),
            Some(Denial::Forbidden),
            "a key never exceeds its owner's roles"
        );
        let session = Caller::Session(Arc::new(signed_in(&[], true)));
        assert_eq!(missing(&Requirement::scope("admin:users"), &session), None);
        assert_eq!(
            Requirement::scope("x")
                .admit_caller(None)
                .err()
                .map(|(d, _)| d),
            Some(Denial::Unauthenticated)
        );
    }

    #[test]
    fn admit_session_gives_the_session_user_and_refuses_a_key_the_scope_admitted() {
        let a = Arc::new(signed_in(&[], true));
        let r = Requirement::scope("read:profile");
        let user = r.admit_session(Some(Caller::Session(a.clone()))).unwrap();
        assert!(Arc::ptr_eq(&user, &a), "no copy of the user");
        let (denial, back) = r
            .admit_session(Some(by_key(&[], &["read:profile"])))
            .unwrap_err();
        assert_eq!((denial, back.is_none()), (Denial::MissingScope, true));
        let (denial, back) = Requirement::signed_in()
            .admit_session(Some(by_key(&[], &["read:profile"])))
            .unwrap_err();
        assert_eq!(denial, Denial::MissingScope);
        assert!(
            back.is_some(),
            "a refusal by admit_caller hands the caller back"
        );
        let (denial, _) = Requirement::verified()
            .admit_session(Some(Caller::Session(Arc::new(signed_in(&[], false)))))
            .unwrap_err();
        assert_eq!(denial, Denial::EmailNotVerified);
        let (denial, _) = r.admit_session(None).unwrap_err();
        assert_eq!(denial, Denial::Unauthenticated);
    }

    #[test]
    fn admit_hands_the_same_user_back_either_way() {
        let admin = Arc::new(signed_in(&["admin"], true));
        let admitted = Requirement::role("admin")
            .admit(Some(admin.clone()))
            .unwrap();
        assert!(Arc::ptr_eq(&admitted, &admin), "no copy of the user");
        let (denial, back) = Requirement::role("editor")
            .admit(Some(admin.clone()))
            .unwrap_err();
        assert_eq!(denial, Denial::Forbidden);
        assert!(
            Arc::ptr_eq(&back.unwrap(), &admin),
            "refused, still signed in"
        );
        let (denial, back) = Requirement::signed_in()
            .admit(None::<Arc<Authenticated>>)
            .unwrap_err();
        assert_eq!((denial, back.is_none()), (Denial::Unauthenticated, true));
    }
}
