//! [`IdentityStore`](crate::IdentityStore) checks.

use std::sync::Arc;

use time::Duration;

use crate::conformance::Subject;
use crate::conformance::support::{Ctx, now, unique};
use crate::error::UniqueField;
use crate::identity::Identity;
use crate::model::UserId;

/// A fresh identity of `user` at `provider`, with a unique subject, linked at `at`.
fn new_identity(user: UserId, provider: &str, at: time::OffsetDateTime) -> Identity {
    Identity {
        user_id: user,
        provider: provider.to_owned(),
        subject: format!("Sub-{}", unique()),
        email: Some(format!("i-{}@example.test", unique())),
        email_verified: true,
        linked_at: at,
        last_used_at: None,
    }
}

/// `link_identity` stores every field and `identity` finds it by provider and subject
/// (exactly: another case is another subject); `identities_for_user` lists an account's
/// identities oldest first and nobody else's; `touch_identity` updates the address and
/// the last use of the identity of its account only; `unlink_identity` unlinks only the
/// owner's identity and says whether it did; `unlink_identities_for_user` unlinks the
/// rest.
pub async fn identities_link_find_touch_list_unlink(subject: &Subject) {
    let ctx = Ctx::new("identities_link_find_touch_list_unlink");
    let Some(store) = ctx.need(subject.identities(), "IdentityStore") else {
        return;
    };
    let (owner, other) = (UserId::new(), UserId::new());
    let t = now();
    let older = new_identity(owner, "idp", t - Duration::hours(1));
    let mut newer = new_identity(owner, "other-idp", t);
    newer.email = None;
    newer.email_verified = false;
    let theirs = new_identity(other, "idp", t);
    for identity in [&newer, &older, &theirs] {
        ctx.ok("link_identity", store.link_identity(identity).await);
    }
    let found = ctx.ok(
        "identity",
        store.identity(&older.provider, &older.subject).await,
    );
    ctx.eq("identity after link_identity", found.as_ref(), Some(&older));
    let lower = older.subject.to_lowercase();
    let found = ctx.ok("identity (other case)", store.identity("idp", &lower).await);
    ctx.eq("identity with the subject in another case", found, None);
    let found = ctx.ok(
        "identity (other provider)",
        store.identity("other-idp", &older.subject).await,
    );
    ctx.eq("identity at another provider", found, None);
    let listed = ctx.ok(
        "identities_for_user",
        store.identities_for_user(owner).await,
    );
    ctx.eq(
        "identities_for_user, oldest first",
        listed,
        vec![older.clone(), newer.clone()],
    );

    let mut used = older.clone();
    used.email = Some(format!("changed-{}@example.test", unique()));
    used.email_verified = false;
    used.last_used_at = Some(t + Duration::minutes(5));
    ctx.ok("touch_identity", store.touch_identity(&used).await);
    let found = ctx.ok("identity", store.identity("idp", &older.subject).await);
    ctx.eq("identity after touch_identity", found.as_ref(), Some(&used));
    let mut foreign = theirs.clone();
    foreign.user_id = owner;
    foreign.last_used_at = Some(t + Duration::minutes(9));
    ctx.ok(
        "touch_identity (another account's)",
        store.touch_identity(&foreign).await,
    );
    let found = ctx.ok("identity", store.identity("idp", &theirs.subject).await);
    ctx.eq(
        "identity after a touch naming the wrong account",
        found.as_ref(),
        Some(&theirs),
    );

    ctx.eq(
        "unlink_identity of another account's identity",
        ctx.ok(
            "unlink_identity",
            store.unlink_identity(owner, "idp", &theirs.subject).await,
        ),
        false,
    );
    ctx.eq(
        "unlink_identity of an own identity",
        ctx.ok(
            "unlink_identity",
            store.unlink_identity(owner, "idp", &older.subject).await,
        ),
        true,
    );
    ctx.eq(
        "unlink_identity again",
        ctx.ok(
            "unlink_identity",
            store.unlink_identity(owner, "idp", &older.subject).await,
        ),
        false,
    );
    let found = ctx.ok("identity", store.identity("idp", &older.subject).await);
    ctx.eq("identity after unlink_identity", found, None);
    ctx.eq(
        "unlink_identities_for_user",
        ctx.ok(
            "unlink_identities_for_user",
            store.unlink_identities_for_user(owner).await,
        ),
        1,
    );
    let listed = ctx.ok(
        "identities_for_user",
        store.identities_for_user(owner).await,
    );
    ctx.eq("identities_for_user after unlinking all", listed, vec![]);
    let found = ctx.ok("identity", store.identity("idp", &theirs.subject).await);
    ctx.eq("another account's identity", found.as_ref(), Some(&theirs));
    ctx.ok(
        "unlink_identities_for_user",
        store.unlink_identities_for_user(other).await,
    );
}

/// An identity links to one account: linking it again (to the same account or another)
/// is a conflict on `provider` and changes nothing; of concurrent links of one identity
/// to different accounts, exactly one succeeds (what makes concurrent first sign-ins
/// create one account).
pub async fn identities_one_account_per_identity(subject: &Subject) {
    let ctx = Ctx::new("identities_one_account_per_identity");
    let Some(store) = ctx.need(subject.identities(), "IdentityStore") else {
        return;
    };
    let t = now();
    let first = new_identity(UserId::new(), "idp", t);
    ctx.ok("link_identity", store.link_identity(&first).await);
    let mut again = first.clone();
    again.user_id = UserId::new();
    again.email = None;
    ctx.conflict(
        "link_identity (linked to another account)",
        store.link_identity(&again).await,
        UniqueField::Identity,
    );
    ctx.conflict(
        "link_identity (linked already)",
        store.link_identity(&first).await,
        UniqueField::Identity,
    );
    let found = ctx.ok("identity", store.identity("idp", &first.subject).await);
    ctx.eq("identity after refused links", found.as_ref(), Some(&first));
    // The same subject at another provider is another identity.
    let mut elsewhere = first.clone();
    elsewhere.provider = "other-idp".into();
    ctx.ok(
        "link_identity (other provider)",
        store.link_identity(&elsewhere).await,
    );

    let contested = new_identity(UserId::new(), "idp", t);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = Arc::clone(store);
        let mut candidate = contested.clone();
        candidate.user_id = UserId::new();
        tasks.push(tokio::spawn(async move {
            let result = store.link_identity(&candidate).await;
            (candidate.user_id, result)
        }));
    }
    let mut winners = Vec::new();
    for (user, result) in ctx.join_all(tasks).await {
        match result {
            Ok(()) => winners.push(user),
            Err(crate::Error::Conflict {
                field: UniqueField::Identity,
            }) => {}
            Err(e) => ctx.fail(format_args!(
                "a concurrent link_identity failed: {}",
                crate::conformance::support::describe(&e)
            )),
        }
    }
    ctx.eq("concurrent links that succeeded", winners.len(), 1);
    let found = ctx.ok("identity", store.identity("idp", &contested.subject).await);
    ctx.eq(
        "the account of the contested identity",
        found.map(|i| i.user_id),
        winners.first().copied(),
    );
    for user in [first.user_id, winners[0]] {
        ctx.ok(
            "unlink_identities_for_user",
            store.unlink_identities_for_user(user).await,
        );
    }
}

/// Provider tokens kept with an identity, sealed by the engine: `keep_identity_tokens`
/// keeps them only for the identity's own account, `identity_tokens` gives back exactly
/// what was kept (which shows no token in clear, and opens to the tokens with the keys
/// that sealed them, after a rotation too, while a missing or wrong key is refused with
/// an error naming the key id); keeping again replaces, `None` forgets, and unlinking
/// the identity forgets them (a new link of it starts without tokens).
pub async fn identities_keep_sealed_tokens(subject: &Subject) {
    use crate::identity::{ProviderTokens, TokenSealer};
    use crate::token::TokenKeys;

    let ctx = Ctx::new("identities_keep_sealed_tokens");
    let Some(store) = ctx.need(subject.identities(), "IdentityStore") else {
        return;
    };
    let k1 = ctx.ok(
        "TokenKeys::new",
        TokenKeys::new("tk1", b"conformance-identity-token-key-1"),
    );
    let k2 = ctx.ok(
        "TokenKeys::new",
        TokenKeys::new("tk2", b"conformance-identity-token-key-2"),
    );
    let rotated = ctx.ok(
        "with_verification_key",
        TokenKeys::new("tk2", b"conformance-identity-token-key-2")
            .and_then(|k| k.with_verification_key("tk1", b"conformance-identity-token-key-1")),
    );
    let wrong = ctx.ok(
        "TokenKeys::new",
        TokenKeys::new("tk1", b"not-the-identity-token-key-tk1!!"),
    );
    let owner = UserId::new();
    let identity = new_identity(owner, "idp", now());
    let (provider, sub) = (identity.provider.as_str(), identity.subject.as_str());
    let plain_access = format!("access-{}", unique());
    let plain_refresh = format!("refresh-{}", unique());
    let tokens = ProviderTokens::new(&plain_access, Some(&plain_refresh), Some(now()));
    let sealed = ctx.ok(
        "seal",
        TokenSealer::new(&k1).seal(owner, provider, sub, &tokens),
    );

    ctx.eq(
        "keep_identity_tokens before the identity is linked",
        ctx.ok(
            "keep_identity_tokens",
            store
                .keep_identity_tokens(owner, provider, sub, Some(&sealed))
                .await,
        ),
        false,
    );
    ctx.ok("link_identity", store.link_identity(&identity).await);
    ctx.eq(
        "identity_tokens of a new link",
        ctx.ok(
            "identity_tokens",
            store.identity_tokens(provider, sub).await,
        ),
        None,
    );
    ctx.eq(
        "keep_identity_tokens for another account",
        ctx.ok(
            "keep_identity_tokens",
            store
                .keep_identity_tokens(UserId::new(), provider, sub, Some(&sealed))
                .await,
        ),
        false,
    );
    ctx.eq(
        "keep_identity_tokens for the identity's account",
        ctx.ok(
            "keep_identity_tokens",
            store
                .keep_identity_tokens(owner, provider, sub, Some(&sealed))
                .await,
        ),
        true,
    );
    let kept = ctx.ok(
        "identity_tokens",
        store.identity_tokens(provider, sub).await,
    );
    ctx.eq(
        "identity_tokens as kept",
        kept.as_deref(),
        Some(sealed.as_str()),
    );
    let kept = kept.unwrap_or_default();
    ctx.ensure(
        !kept.contains(&plain_access) && !kept.contains(&plain_refresh),
        || format!("the store holds a provider token in clear: {kept}"),
    );
    let listed = ctx.ok("identity", store.identity(provider, sub).await);
    ctx.eq(
        "the identity beside its tokens",
        listed.as_ref(),
        Some(&identity),
    );
    let opened = TokenSealer::new(&rotated).open(owner, provider, sub, &kept);
    ctx.eq(
        "the kept tokens opened after a rotation",
        opened.ok().as_ref(),
        Some(&tokens),
    );
    match TokenSealer::new(&k2).open(owner, provider, sub, &kept) {
        Err(crate::Error::Config(m)) if m.contains("\"tk1\"") => {}
        other => ctx.fail(format_args!(
            "tokens sealed with a removed key: expected a configuration error naming \"tk1\", got {other:?}"
        )),
    }
    match TokenSealer::new(&wrong).open(owner, provider, sub, &kept) {
        Err(crate::Error::Config(m)) if m.contains("do not open") => {}
        other => ctx.fail(format_args!(
            "tokens opened with a wrong key under their id: expected a configuration error, got {other:?}"
        )),
    }

    let newer = ctx.ok(
        "seal",
        TokenSealer::new(&k2).seal(owner, provider, sub, &tokens),
    );
    ctx.ok(
        "keep_identity_tokens (replace)",
        store
            .keep_identity_tokens(owner, provider, sub, Some(&newer))
            .await,
    );
    ctx.eq(
        "identity_tokens after a replacement",
        ctx.ok(
            "identity_tokens",
            store.identity_tokens(provider, sub).await,
        ),
        Some(newer.clone()),
    );
    ctx.eq(
        "keep_identity_tokens(None)",
        ctx.ok(
            "keep_identity_tokens",
            store.keep_identity_tokens(owner, provider, sub, None).await,
        ),
        true,
    );
    ctx.eq(
        "identity_tokens after forgetting",
        ctx.ok(
            "identity_tokens",
            store.identity_tokens(provider, sub).await,
        ),
        None,
    );
    ctx.ok(
        "keep_identity_tokens",
        store
            .keep_identity_tokens(owner, provider, sub, Some(&newer))
            .await,
    );
    ctx.ok(
        "unlink_identity",
        store.unlink_identity(owner, provider, sub).await,
    );
    ctx.ok(
        "link_identity (again)",
        store.link_identity(&identity).await,
    );
    ctx.eq(
        "identity_tokens after unlinking and linking again",
        ctx.ok(
            "identity_tokens",
            store.identity_tokens(provider, sub).await,
        ),
        None,
    );
    ctx.ok(
        "unlink_identities_for_user",
        store.unlink_identities_for_user(owner).await,
    );
}
