//! The account state machine, driven by arbitrary event sequences through the public
//! engine (memory store, manual clock), against a model of what must hold: a locked or
//! disabled account never gets a session; a session the model has ended (logout, a
//! credential change, disabling, a forced logout) never authenticates again; a reset or
//! change-of-address link works once, only under the stamp it was issued with and only
//! before it expires; a verification link confirms only the address it was sent to; a
//! wrong password never signs in, and the right one is refused only by a lock.
#![no_main]

use arbitrary::Arbitrary;
use auth_core::{
    AccountState, Authenticated, EmailChange, Error, Login, MailKind, PasswordChange,
    PasswordReset, Registration, SessionToken, User,
};
use auth_fuzz::{PASSWORD, Site, ctx, next_password, runtime};
use libfuzzer_sys::fuzz_target;
use time::{Duration, OffsetDateTime};

const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";
const ROOT: &str = "root@example.com";
const NEW_ADDRESSES: [&str; 3] = ["ada.new@example.com", "ada.other@example.com", BOB];

#[derive(Debug, Arbitrary)]
enum Op {
    Advance(u16),
    Login { right: bool, remember: bool },
    Logout(u8),
    LogoutEverywhere,
    RevokeOthers(u8),
    ChangePassword(u8),
    RequestReset,
    UseReset(u8),
    ResendVerification,
    UseVerify(u8),
    RequestEmailChange(u8, u8),
    ConfirmEmailChange(u8),
    Disable,
    Enable,
    Unlock,
    ForceLogout,
}

struct Session {
    token: SessionToken,
    /// Whether the model still allows it to authenticate.
    allowed: bool,
}

struct Link {
    kind: MailKind,
    token: String,
    /// The credential epoch it was issued in: the security stamp changes with every epoch.
    epoch: u32,
    issued: OffsetDateTime,
    /// The address the mail went to.
    to: String,
    used: bool,
}

struct Model {
    site: Site,
    id: auth_core::UserId,
    password: &'static str,
    email: String,
    disabled: bool,
    epoch: u32,
    sessions: Vec<Session>,
    links: Vec<Link>,
    mails_seen: usize,
}

fn marker(kind: MailKind) -> Option<&'static str> {
    match kind {
        MailKind::Verification => Some("/verify/"),
        MailKind::PasswordReset => Some("/reset/"),
        MailKind::EmailChange => Some("/email/confirm/"),
        _ => None,
    }
}

impl Model {
    fn now(&self) -> OffsetDateTime {
        self.site.auth.now()
    }

    async fn admin(&self) -> Authenticated {
        let signed_in = self
            .site
            .auth
            .login(
                Login {
                    login: ROOT.into(),
                    password: PASSWORD.into(),
                    remember: false,
                },
                &ctx(),
            )
            .await
            .expect("the administrator signs in");
        self.site
            .auth
            .authenticate(&signed_in.token)
            .await
            .expect("a store that answers")
            .expect("a fresh session")
    }

    async fn user(&self) -> User {
        let admin = self.admin().await;
        self.site
            .auth
            .admin_user(&admin, self.id)
            .await
            .expect("the account exists")
            .user
    }

    /// The owner's view through session `i`, if it still authenticates.
    async fn as_owner(&self, i: u8) -> Option<(usize, Authenticated)> {
        if self.sessions.is_empty() {
            return None;
        }
        let i = usize::from(i) % self.sessions.len();
        let who = self
            .site
            .auth
            .authenticate(&self.sessions[i].token)
            .await
            .expect("a store that answers")?;
        Some((i, who))
    }

    fn end_all_but(&mut self, keep: Option<usize>) {
        for (i, s) in self.sessions.iter_mut().enumerate() {
            if Some(i) != keep {
                s.allowed = false;
            }
        }
    }

    fn pick(&self, kind: MailKind, i: u8) -> Option<usize> {
        let of_kind: Vec<usize> = (0..self.links.len())
            .filter(|&j| self.links[j].kind == kind)
            .collect();
        (!of_kind.is_empty()).then(|| of_kind[usize::from(i) % of_kind.len()])
    }

    /// Records the links mailed since the last call, under the current epoch.
    fn collect_links(&mut self) {
        let sent = self.site.mailer.sent();
        for mail in &sent[self.mails_seen..] {
            let Some(marker) = marker(mail.kind) else {
                continue;
            };
            let link = auth_core::CapturingMailer::link_in(mail, marker).expect("a link");
            self.links.push(Link {
                kind: mail.kind,
                token: link.rsplit('/').next().unwrap_or_default().to_owned(),
                epoch: self.epoch,
                issued: self.now(),
                to: mail.to.clone(),
                used: false,
            });
        }
        self.mails_seen = sent.len();
    }

    async fn step(&mut self, op: &Op) {
        let auth = self.site.auth.clone();
        let now = self.now();
        match op {
            Op::Advance(secs) => self
                .site
                .clock
                .advance(Duration::seconds(i64::from(*secs) * 4)),
            Op::Login { right, remember } => {
                let before = self.user().await;
                let state = AccountState::of(&before, now);
                let password = if *right {
                    self.password
                } else {
                    "not the password at all"
                };
                let result = auth
                    .login(
                        Login {
                            login: self.email.clone(),
                            password: password.into(),
                            remember: *remember,
                        },
                        &ctx(),
                    )
                    .await;
                match result {
                    Ok(signed_in) => {
                        assert!(*right, "a wrong password signed in");
                        assert!(
                            matches!(
                                state,
                                AccountState::Active | AccountState::PendingVerification
                            ),
                            "a session for an account in state {state:?}"
                        );
                        assert!(!self.disabled);
                        let who = auth.authenticate(&signed_in.token).await.expect("answers");
                        assert!(who.is_some(), "a fresh session authenticates");
                        self.sessions.push(Session {
                            token: signed_in.token,
                            allowed: true,
                        });
                    }
                    Err(Error::InvalidCredentials) => {
                        assert!(!*right, "the right password was refused");
                    }
                    Err(Error::AccountLocked { .. }) => {}
                    Err(Error::AccountDisabled) => assert!(self.disabled),
                    Err(other) => panic!("login: {other:?}"),
                }
            }
            Op::Logout(i) => {
                if self.sessions.is_empty() {
                    return;
                }
                let i = usize::from(*i) % self.sessions.len();
                auth.logout(&self.sessions[i].token, &ctx())
                    .await
                    .expect("logout");
                self.sessions[i].allowed = false;
            }
            Op::LogoutEverywhere => {
                auth.logout_everywhere(self.id, &ctx())
                    .await
                    .expect("logout everywhere");
                self.end_all_but(None);
            }
            Op::RevokeOthers(i) => {
                let Some((i, who)) = self.as_owner(*i).await else {
                    return;
                };
                auth.revoke_other_sessions(&who, &ctx())
                    .await
                    .expect("revoke others");
                self.end_all_but(Some(i));
            }
            Op::ChangePassword(i) => {
                let Some((i, who)) = self.as_owner(*i).await else {
                    return;
                };
                let new = next_password(self.password);
                let result = auth
                    .change_password(
                        &who,
                        PasswordChange {
                            current_password: self.password.into(),
                            password: new.into(),
                            password_confirm: new.into(),
                        },
                        &ctx(),
                    )
                    .await;
                match result {
                    Ok(_) => {
                        self.password = new;
                        self.epoch += 1;
                        self.end_all_but(Some(i));
                    }
                    Err(Error::AccountLocked { .. }) => {}
                    Err(other) => panic!("change password: {other:?}"),
                }
            }
            Op::RequestReset => auth
                .request_password_reset(&self.email, &ctx())
                .await
                .expect("a reset request is always answered the same"),
            Op::UseReset(i) => {
                let Some(j) = self.pick(MailKind::PasswordReset, *i) else {
                    return;
                };
                let new = next_password(self.password);
                let result = auth
                    .reset_password(
                        PasswordReset {
                            token: self.links[j].token.clone(),
                            password: new.into(),
                            password_confirm: new.into(),
                        },
                        &ctx(),
                    )
                    .await;
                let link = &self.links[j];
                let fresh = now - link.issued < Duration::minutes(30);
                match result {
                    Ok(_) => {
                        assert!(!link.used, "a reset link worked twice");
                        assert_eq!(link.epoch, self.epoch, "a superseded reset link worked");
                        assert!(fresh, "an expired reset link worked");
                        assert!(!self.disabled, "a disabled account was reset");
                        self.links[j].used = true;
                        self.password = new;
                        self.epoch += 1;
                        self.end_all_but(None);
                    }
                    Err(Error::Token { .. } | Error::AccountDisabled) => {
                        assert!(
                            link.used || link.epoch != self.epoch || !fresh || self.disabled,
                            "a good reset link was refused: {result:?}"
                        );
                    }
                    Err(other) => panic!("reset: {other:?}"),
                }
            }
            Op::ResendVerification => auth
                .resend_verification(&self.email, &ctx())
                .await
                .expect("a resend is always answered the same"),
            Op::UseVerify(i) => {
                let Some(j) = self.pick(MailKind::Verification, *i) else {
                    return;
                };
                let result = auth.verify_email(&self.links[j].token, &ctx()).await;
                if let Ok(user) = result {
                    assert_eq!(user.email, self.links[j].to, "confirmed another address");
                    assert!(now - self.links[j].issued < Duration::hours(24));
                }
            }
            Op::RequestEmailChange(i, to) => {
                let Some((_, who)) = self.as_owner(*i).await else {
                    return;
                };
                let to = NEW_ADDRESSES[usize::from(*to) % NEW_ADDRESSES.len()];
                let result = auth
                    .request_email_change(
                        &who,
                        EmailChange {
                            password: self.password.into(),
                            new_email: to.into(),
                        },
                        &ctx(),
                    )
                    .await;
                match result {
                    Ok(()) => self.epoch += 1,
                    Err(Error::AccountLocked { .. } | Error::Validation(_)) => {}
                    Err(other) => panic!("email change: {other:?}"),
                }
            }
            Op::ConfirmEmailChange(i) => {
                let Some(j) = self.pick(MailKind::EmailChange, *i) else {
                    return;
                };
                let result = auth
                    .confirm_email_change(&self.links[j].token, &ctx())
                    .await;
                let link = &self.links[j];
                if let Ok(user) = result {
                    assert!(!link.used, "a change link worked twice");
                    assert_eq!(link.epoch, self.epoch, "a superseded change link worked");
                    assert!(
                        now - link.issued < Duration::hours(24),
                        "an expired link worked"
                    );
                    assert!(!self.disabled);
                    assert_eq!(user.email, link.to);
                    self.links[j].used = true;
                    self.email = user.email;
                    self.epoch += 1;
                    self.end_all_but(None);
                }
            }
            Op::Disable | Op::Enable | Op::Unlock | Op::ForceLogout => {
                let admin = self.admin().await;
                let result = match op {
                    Op::Disable => auth.admin_disable(&admin, self.id, &ctx()).await,
                    Op::Enable => auth.admin_enable(&admin, self.id, &ctx()).await,
                    Op::Unlock => auth.admin_unlock(&admin, self.id, &ctx()).await,
                    _ => auth.admin_force_logout(&admin, self.id, &ctx()).await,
                };
                result.expect("an administrator's action");
                match op {
                    Op::Disable => {
                        self.disabled = true;
                        self.end_all_but(None);
                    }
                    Op::Enable => self.disabled = false,
                    Op::ForceLogout => self.end_all_but(None),
                    _ => {}
                }
            }
        }
        self.collect_links();
    }

    /// No session the model has ended authenticates, nor any of a disabled account.
    async fn check_sessions(&self) {
        for s in &self.sessions {
            let who = self
                .site
                .auth
                .authenticate(&s.token)
                .await
                .expect("answers");
            if let Some(who) = who {
                assert!(s.allowed, "an ended session still authenticates");
                assert!(!self.disabled, "a disabled account's session authenticates");
                assert_eq!(who.user.id, self.id);
                assert_eq!(who.user.email, self.email);
            }
        }
    }
}

fuzz_target!(|ops: Vec<Op>| {
    if ops.len() > 32 {
        return;
    }
    runtime().block_on(async {
        let site = Site::new();
        for email in [BOB, ROOT] {
            site.account(email, email == ROOT).await;
        }
        let id = match site
            .auth
            .register(
                Registration {
                    email: ADA.into(),
                    username: None,
                    password: PASSWORD.into(),
                    password_confirm: PASSWORD.into(),
                    profile: Default::default(),
                    language: None,
                },
                &ctx(),
            )
            .await
            .expect("a registration")
        {
            auth_core::RegisterOutcome::Created(user) => user.id,
            other => panic!("{other:?}"),
        };
        let mut model = Model {
            site,
            id,
            password: PASSWORD,
            email: ADA.into(),
            disabled: false,
            epoch: 0,
            sessions: Vec::new(),
            links: Vec::new(),
            mails_seen: 0,
        };
        model.collect_links();
        for op in &ops {
            model.step(op).await;
            model.check_sessions().await;
        }
    });
});
