//! Property tests of passkey states: arbitrary sequences of registering, signing in,
//! removing and renaming, over three accounts (one with a password, two that signed up
//! with a passkey and have none), keep the invariants:
//!
//! - a credential id belongs to one account (unique across accounts);
//! - a removed passkey never signs in again; a live one signs its own account in;
//! - the last way into an account is never removed (every account keeps one);
//! - the stored passkeys are exactly the ones registered and not removed.

use std::collections::HashSet;
use std::sync::Arc;

use auth_core::conformance::authenticator::SoftPasskey;
use auth_core::conformance::engine::{Engine, config, request};
use auth_core::{
    Authenticated, Error, PasskeyStore as _, RateLimit, RateLimits, RegisterOutcome, UserId,
};
use auth_store_memory::MemoryStore;
use proptest::prelude::*;

const ORIGIN: &str = "https://app.test";

type Harness = Engine<Arc<MemoryStore>>;

/// One step of a sequence; indexes pick an account or a passkey modulo how many there
/// are.
#[derive(Debug, Clone)]
enum Step {
    Register(usize),
    SignIn(usize),
    Remove(usize),
    Rename(usize, String),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3usize).prop_map(Step::Register),
        (0..8usize).prop_map(Step::SignIn),
        (0..8usize).prop_map(Step::Remove),
        (0..8usize, "[A-Za-z ]{1,12}").prop_map(|(i, n)| Step::Rename(i, n)),
    ]
}

/// A passkey the test made: its authenticator, owner, id, and whether it was removed.
struct Key {
    soft: SoftPasskey,
    owner: usize,
    id: String,
    removed: bool,
}

/// An account of the test: its session and whether it has a password.
struct Account {
    me: Authenticated,
    password: bool,
}

async fn register(h: &Harness, me: &Authenticated) -> (SoftPasskey, String) {
    let mut soft = SoftPasskey::new(ORIGIN);
    let started = h.auth.start_passkey_registration(me).await.unwrap();
    let answer = soft.register(&started.options).await.unwrap();
    let record = h
        .auth
        .finish_passkey_registration(me, started.token(), "Key", &answer, &request())
        .await
        .unwrap();
    (soft, record.id)
}

async fn sign_in(h: &Harness, soft: &mut SoftPasskey) -> auth_core::Result<UserId> {
    let challenge = h.auth.start_passkey_sign_in(&request()).await?;
    let answer = soft.sign_in(&challenge.options).await.unwrap();
    let success = h
        .auth
        .finish_passkey_sign_in(challenge.token(), &answer, false, &request())
        .await?;
    Ok(success.user.id)
}

/// The accounts and their first passkeys.
async fn setup(h: &Harness) -> (Vec<Account>, Vec<Key>) {
    h.registered_and_verified("pw@example.com").await;
    let mut accounts = vec![Account {
        me: h.signed_in("pw@example.com").await,
        password: true,
    }];
    let mut keys = Vec::new();
    for (n, email) in ["one@example.com", "two@example.com"]
        .into_iter()
        .enumerate()
    {
        let mut soft = SoftPasskey::new(ORIGIN);
        let started = h
            .auth
            .start_passkey_sign_up(email, &request())
            .await
            .unwrap();
        let answer = soft.register(&started.options).await.unwrap();
        let outcome = h
            .auth
            .finish_passkey_sign_up(started.token(), "First", &answer, &request())
            .await
            .unwrap();
        let RegisterOutcome::Created(user) = outcome else {
            panic!("expected a new account, got {outcome:?}");
        };
        let challenge = h.auth.start_passkey_sign_in(&request()).await.unwrap();
        let assertion = soft.sign_in(&challenge.options).await.unwrap();
        let success = h
            .auth
            .finish_passkey_sign_in(challenge.token(), &assertion, false, &request())
            .await
            .unwrap();
        let me = h.auth.authenticate(&success.token).await.unwrap().unwrap();
        let id = h.store.passkeys_for_user(user.id).await.unwrap()[0]
            .id
            .clone();
        keys.push(Key {
            soft,
            owner: n + 1,
            id,
            removed: false,
        });
        accounts.push(Account {
            me,
            password: false,
        });
    }
    (accounts, keys)
}

/// Checks the invariants against the stores.
async fn check(h: &Harness, accounts: &[Account], keys: &[Key]) {
    let mut seen = HashSet::new();
    for (n, account) in accounts.iter().enumerate() {
        let stored = h.store.passkeys_for_user(account.me.user.id).await.unwrap();
        for p in &stored {
            assert!(
                seen.insert(p.id.clone()),
                "credential id {} on two accounts",
                p.id
            );
        }
        let stored: HashSet<_> = stored.into_iter().map(|p| p.id).collect();
        let live: HashSet<_> = keys
            .iter()
            .filter(|k| k.owner == n && !k.removed)
            .map(|k| k.id.clone())
            .collect();
        assert_eq!(stored, live, "the stored passkeys of account {n}");
        assert!(
            account.password || !live.is_empty(),
            "account {n} lost its last way in"
        );
    }
}

async fn run(steps: Vec<Step>) {
    let rp = auth_core::RelyingParty::new("app.test", "Test App", &[ORIGIN]).unwrap();
    let h: Harness = Engine::wired(
        Arc::new(MemoryStore::new()),
        // Every sign-in counts twice (start and finish) against the network's limit.
        config().passkey_sign_up(true).rate_limits(RateLimits {
            login_per_ip: RateLimit::new(1_000, time::Duration::minutes(1)),
            ..RateLimits::default()
        }),
        |builder, store| builder.store(store.clone()).passkeys(store.clone(), rp),
    );
    let (mut accounts, mut keys) = setup(&h).await;
    check(&h, &accounts, &keys).await;
    for step in steps {
        match step {
            Step::Register(n) => {
                let (mut soft, id) = register(&h, &accounts[n].me).await;
                // A passkey is a second factor: the owner's removals take a fresh passkey
                // proof, which the owner gives with the new passkey.
                let me = &accounts[n].me;
                let started = h.auth.start_passkey_step_up(me).await.unwrap();
                let answer = soft.sign_in(&started.options).await.unwrap();
                let session = h
                    .auth
                    .step_up_with_passkey(me, started.token(), &answer, &request())
                    .await
                    .unwrap();
                accounts[n].me.session = session;
                keys.push(Key {
                    soft,
                    owner: n,
                    id,
                    removed: false,
                });
            }
            Step::SignIn(i) => {
                let i = i % keys.len();
                let key = &mut keys[i];
                let signed_in = sign_in(&h, &mut key.soft).await;
                if key.removed {
                    assert!(
                        matches!(signed_in, Err(Error::InvalidCredentials)),
                        "a removed passkey signed in: {signed_in:?}"
                    );
                } else {
                    assert_eq!(signed_in.unwrap(), accounts[key.owner].me.user.id);
                }
            }
            Step::Remove(i) => {
                let i = i % keys.len();
                let owner = keys[i].owner;
                let live = keys
                    .iter()
                    .filter(|k| k.owner == owner && !k.removed)
                    .count();
                let removed = h
                    .auth
                    .remove_passkey(&accounts[owner].me, &keys[i].id, &request())
                    .await;
                match removed {
                    Ok(()) => {
                        assert!(!keys[i].removed, "a removed passkey was removed again");
                        assert!(accounts[owner].password || live > 1, "the last way in went");
                        keys[i].removed = true;
                    }
                    Err(Error::NotFound) => assert!(keys[i].removed),
                    Err(Error::Validation(_)) => {
                        assert!(!accounts[owner].password && live == 1, "refused needlessly");
                    }
                    Err(e) => panic!("removing a passkey: {e:?}"),
                }
            }
            Step::Rename(i, name) => {
                let i = i % keys.len();
                let owner = keys[i].owner;
                let renamed = h
                    .auth
                    .rename_passkey(&accounts[owner].me, &keys[i].id, &name, &request())
                    .await;
                match renamed {
                    Ok(()) => assert!(!keys[i].removed),
                    Err(Error::NotFound) => assert!(keys[i].removed),
                    Err(Error::Validation(_)) => assert!(name.trim().is_empty()),
                    Err(e) => panic!("renaming a passkey: {e:?}"),
                }
                // Another account never renames it.
                let other = (owner + 1) % accounts.len();
                assert!(matches!(
                    h.auth
                        .rename_passkey(&accounts[other].me, &keys[i].id, "Mine", &request())
                        .await,
                    Err(Error::NotFound)
                ));
            }
        }
        check(&h, &accounts, &keys).await;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn passkey_states_keep_their_invariants(steps in prop::collection::vec(step(), 1..14)) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(steps));
    }
}
