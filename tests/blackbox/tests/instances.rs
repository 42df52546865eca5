//! Several instances of one site: three demo processes sharing their store (PostgreSQL
//! for users and Redis for sessions and counters, or one SQLite file for everything),
//! the signing secret, the base URL of mailed links and the mail directory, with the
//! harness as the load balancer choosing the instance of every request. What one
//! instance does, the others see at once: sessions, logout, password changes, an
//! administrator's disabling or signing out of an account, lockout and rate limits, used
//! links, and a race on one link.
//!
//! Each instance keeps the session lookups it made in memory while the store's revision
//! stays the one read before the lookup (the SQLite store reads it from the WAL index
//! that every process sharing the file rewrites on commit). The revocation scenarios
//! therefore first use each session on every instance, then revoke it on one, and
//! require the very next request on every other instance to be refused: a kept lookup
//! that outlived the revocation fails them.
//!
//! `scenarios!` runs every scenario on six clusters: on PostgreSQL and Redis, three
//! instances of the Axum demo, of the Poem demo, of the Rocket demo, and a mixed one (one
//! instance of each, sharing the store: the frameworks must agree on everything they keep
//! there); on one SQLite file, three instances of the Axum demo and a mixed one. Within
//! one test process a cluster of each kind is shared by the scenarios (each with its own
//! email addresses and client source addresses); under nextest each test starts its own.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::sync::{Barrier, OnceLock};

use blackbox_tests::{
    Backend, Body, Client, Cluster, Framework, NEW_PASSWORD, PASSWORD, Resp, email, enc,
};
use serde_json::json;

/// The kinds of cluster, by test module name: where the instances share their data,
/// and which demos they are.
const KINDS: [(Backend, [Framework; 3]); 6] = [
    (Backend::PostgresRedis, [Framework::Axum; 3]),
    (Backend::PostgresRedis, [Framework::Poem; 3]),
    (Backend::PostgresRedis, [Framework::Rocket; 3]),
    (
        Backend::PostgresRedis,
        [Framework::Axum, Framework::Poem, Framework::Rocket],
    ),
    (Backend::Sqlite, [Framework::Axum; 3]),
    (
        Backend::Sqlite,
        [Framework::Axum, Framework::Poem, Framework::Rocket],
    ),
];

fn shared(kind: usize) -> &'static Cluster {
    static CLUSTERS: [OnceLock<Cluster>; 6] = [const { OnceLock::new() }; 6];
    CLUSTERS[kind].get_or_init(|| {
        let (backend, frameworks) = &KINDS[kind];
        Cluster::start_on(*backend, frameworks)
    })
}

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        scenarios!(@cluster axum, 0, [test_services::needs(postgres, redis)], $($name),*);
        scenarios!(@cluster poem, 1, [test_services::needs(postgres, redis)], $($name),*);
        scenarios!(@cluster rocket, 2, [test_services::needs(postgres, redis)], $($name),*);
        scenarios!(@cluster mixed, 3, [test_services::needs(postgres, redis)], $($name),*);
        scenarios!(@cluster sqlite_axum, 4, [], $($name),*);
        scenarios!(@cluster sqlite_mixed, 5, [], $($name),*);
    };
    (@cluster $module:ident, $kind:expr, $needs:tt, $($name:ident),*) => {
        mod $module {
            $( scenarios!(@test $kind, $needs, $name); )*
        }
    };
    (@test $kind:expr, [$($needs:meta)?], $name:ident) => {
        $(#[$needs])?
        #[test]
        fn $name() {
            crate::$name(crate::shared($kind));
        }
    };
}

scenarios!(
    a_session_opened_on_one_instance_works_on_every_instance,
    logout_on_one_instance_ends_the_session_on_every_instance,
    a_password_change_on_one_instance_ends_the_other_sessions_everywhere,
    an_administrator_disabling_or_signing_out_an_account_ends_its_sessions_everywhere,
    failed_sign_ins_spread_over_the_instances_lock_at_the_same_threshold,
    per_client_limits_trip_at_the_same_count_across_the_instances,
    a_link_used_on_one_instance_is_dead_on_every_instance,
    instances_racing_one_reset_link_let_exactly_one_win,
    a_picture_changed_on_one_instance_shows_in_every_header,
);

// ---------------------------------------------------------------------------------------
// Helpers

/// Two more passwords the policy accepts, for racing resets.
const OTHER_PASSWORDS: [&str; 2] = [
    "amber lighthouse whistles past midnight",
    "seventeen copper kettles hum in winter",
];

/// A browser behind the load balancer: every request goes to the next instance.
struct Browser<'a> {
    cluster: &'a Cluster,
    client: Client,
    next: usize,
}

impl<'a> Browser<'a> {
    fn new(cluster: &'a Cluster) -> Self {
        Self {
            cluster,
            client: cluster.instance(0).client(),
            next: 0,
        }
    }

    /// The client, pointed at the next instance.
    fn next_instance(&mut self) -> &mut Client {
        let instance = self.cluster.instance(self.next);
        self.next += 1;
        self.client.set_addr(&instance.addr);
        &mut self.client
    }
}

/// `client` pointed at instance `i`.
fn on<'c>(cluster: &Cluster, i: usize, client: &'c mut Client) -> &'c mut Client {
    client.set_addr(&cluster.instance(i).addr);
    client
}

/// A new client on instance `i` holding a copy of `client`'s cookies: another tab of the
/// same browser, sent to another instance by the load balancer.
fn tab_of(cluster: &Cluster, i: usize, client: &Client) -> Client {
    let mut tab = cluster.instance(i).client();
    tab.jar.clone_from(&client.jar);
    tab
}

/// A client signed in (through the form) on instance `i`.
fn signed_in(cluster: &Cluster, i: usize, email: &str) -> Client {
    let mut c = cluster.instance(i).client();
    let r = c.login(email, PASSWORD);
    assert_eq!(r.status, 303, "{}", r.body);
    c
}

/// `GET /auth/api/me` on instance `i`: the status, and the email when signed in.
fn me_on(cluster: &Cluster, i: usize, client: &mut Client) -> (u16, String) {
    let r = on(cluster, i, client).get_json("/auth/api/me");
    let email = if r.status == 200 {
        r.json()["user"]["email"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    } else {
        String::new()
    };
    (r.status, email)
}

fn instances(cluster: &Cluster) -> std::ops::Range<usize> {
    0..cluster.instances.len()
}

// ---------------------------------------------------------------------------------------
// Pictures

/// A `w`×`h` PNG.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// The path of the uploaded picture in the header of `/dashboard` on instance `i`
/// (`None`: the generated avatar), asked twice so that the second answer comes from the
/// instance's kept session lookup.
fn header_picture_on(cluster: &Cluster, i: usize, client: &mut Client) -> Option<String> {
    let c = on(cluster, i, client);
    let first = c.get("/dashboard");
    let again = c.get("/dashboard");
    assert_eq!(again.status, 200, "instance {i}: {}", again.body);
    let src = |body: &str| {
        let start = body.find("src=\"/auth/pictures/")? + 5;
        let end = start + body[start..].find('"')?;
        Some(body[start..end].to_owned())
    };
    assert_eq!(src(&first.body), src(&again.body), "instance {i}");
    src(&again.body)
}

/// A picture uploaded, replaced or removed on one instance shows in the header of the
/// very next page on every instance, also where the session lookup (and the picture
/// version with it) was kept.
fn a_picture_changed_on_one_instance_shows_in_every_header(cluster: &Cluster) {
    let email = email("spread-picture", cluster.instance(0));
    cluster.verified_account(&email);
    let mut c = cluster.instance(0).client();
    assert_eq!(c.api_login(&email, PASSWORD).status, 200);
    for i in instances(cluster) {
        assert_eq!(header_picture_on(cluster, i, &mut c), None, "instance {i}");
    }
    let mut last = None;
    for (writer, size) in instances(cluster).zip([(40, 30), (30, 40), (50, 50)]) {
        let r = on(cluster, writer, &mut c).send(
            "POST",
            "/auth/api/account/picture",
            Body::Raw(Some("image/png"), &png(size.0, size.1)),
            &[],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let url = r.json()["picture"]["url"].as_str().unwrap().to_owned();
        assert_ne!(Some(&url), last.as_ref());
        for i in instances(cluster) {
            assert_eq!(
                header_picture_on(cluster, i, &mut c).as_ref(),
                Some(&url),
                "uploaded on instance {writer}, instance {i} shows another picture"
            );
        }
        last = Some(url);
    }
    let r = on(cluster, 1, &mut c).api("/auth/api/account/picture/remove", json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    for i in instances(cluster) {
        assert_eq!(
            header_picture_on(cluster, i, &mut c),
            None,
            "removed on instance 1, instance {i} still shows it"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Sessions

/// A whole HTML flow with every request on the next instance (no sticky sessions):
/// registration, the confirmation link and its button, sign-in, then the session on
/// every instance; a JSON sign-in on one instance is signed in on the others.
fn a_session_opened_on_one_instance_works_on_every_instance(cluster: &Cluster) {
    let email = email("spread-session", cluster.instance(0));
    let mut b = Browser::new(cluster);
    let page = b.next_instance().get("/auth/register");
    assert_eq!(page.status, 200, "{}", page.body);
    let r = b.next_instance().post(
        "/auth/register",
        &[
            ("email", &email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    );
    assert_eq!(r.status, 200, "a form from another instance: {}", r.body);
    assert!(r.body.contains("Check your inbox"), "{}", r.body);
    let link = cluster
        .instance(0)
        .mailed_path(&email, "verification", "/verify/");
    let r = b.next_instance().get(&link);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/auth/verify");
    let r = b.next_instance().get("/auth/verify");
    assert_eq!(r.status, 200, "{}", r.body);
    let r = b.next_instance().post("/auth/verify", &[]);
    assert_eq!(r.status, 303, "confirmed on another instance: {}", r.body);
    assert_eq!(r.location(), "/auth/login");
    let r = b.next_instance().get("/auth/login");
    assert_eq!(r.status, 200, "{}", r.body);
    let r = b
        .next_instance()
        .post("/auth/login", &[("login", &email), ("password", PASSWORD)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/");

    for i in instances(cluster) {
        let dash = on(cluster, i, &mut b.client).get("/dashboard");
        assert_eq!(dash.status, 200, "instance {i}: {}", dash.body);
        assert!(dash.body.contains(&email), "instance {i}: {}", dash.body);
        assert_eq!(me_on(cluster, i, &mut b.client), (200, email.clone()));
        let list = b.client.get_json("/auth/api/account/sessions");
        assert_eq!(list.status, 200, "instance {i}: {}", list.body);
        let sessions = list.json()["sessions"].clone();
        assert_eq!(sessions.as_array().map(Vec::len), Some(1), "{sessions}");
        assert_eq!(sessions[0]["current"], true, "instance {i}: {sessions}");
    }

    // The JSON API: signed in on the last instance, known on every other.
    let last = cluster.instances.len() - 1;
    let mut c = cluster.instance(last).client();
    let r = c.api_login(&email, PASSWORD);
    assert_eq!(r.status, 200, "{}", r.body);
    for i in instances(cluster) {
        assert_eq!(
            me_on(cluster, i, &mut c),
            (200, email.clone()),
            "instance {i}"
        );
    }
    // Both sessions are listed by every instance.
    for i in instances(cluster) {
        let list = on(cluster, i, &mut c).get_json("/auth/api/account/sessions");
        assert_eq!(
            list.json()["sessions"].as_array().map(Vec::len),
            Some(2),
            "instance {i}: {}",
            list.body
        );
    }
}

/// Logout through the form or the API on one instance: the very next request with the
/// same cookie on every other instance is refused. Logout everywhere on one instance
/// ends sessions opened on the others.
fn logout_on_one_instance_ends_the_session_on_every_instance(cluster: &Cluster) {
    let email = email("spread-logout", cluster.instance(0));
    cluster.verified_account(&email);
    for i in instances(cluster) {
        let mut c = signed_in(cluster, i, &email);
        let mut tabs: Vec<(usize, Client)> = instances(cluster)
            .filter(|&j| j != i)
            .map(|j| (j, tab_of(cluster, j, &c)))
            .collect();
        for (j, tab) in &mut tabs {
            assert_eq!(
                me_on(cluster, *j, tab),
                (200, email.clone()),
                "instance {j}"
            );
        }
        if i % 2 == 0 {
            assert_eq!(c.get("/auth/account").status, 200);
            let r = c.post("/auth/logout", &[]);
            assert_eq!(r.status, 303, "{}", r.body);
        } else {
            let r = c.api("/auth/api/logout", json!({}));
            assert_eq!(r.status, 204, "{}", r.body);
        }
        for (j, tab) in &mut tabs {
            assert_eq!(
                me_on(cluster, *j, tab).0,
                401,
                "logged out on instance {i}, still signed in on instance {j}"
            );
            let r = tab.get("/dashboard");
            assert_eq!(r.status, 303, "instance {j}: {}", r.body);
            assert!(r.location().starts_with("/auth/login"), "{}", r.location());
        }
    }

    // Logout everywhere on instance 0 ends the sessions opened on the others.
    let mut devices: Vec<(usize, Client)> = instances(cluster)
        .skip(1)
        .map(|i| (i, signed_in(cluster, i, &email)))
        .collect();
    let mut c = signed_in(cluster, 0, &email);
    let r = c.api("/auth/api/logout_everywhere", json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["revoked"].as_u64(),
        Some(devices.len() as u64 + 1),
        "{}",
        r.body
    );
    for (i, device) in &mut devices {
        for j in instances(cluster) {
            assert_eq!(
                me_on(cluster, j, device).0,
                401,
                "a session opened on instance {i} survived on instance {j}"
            );
        }
    }
}

/// A password changed on one instance keeps that session and ends every other session
/// of the account on every instance; the old password is refused everywhere.
fn a_password_change_on_one_instance_ends_the_other_sessions_everywhere(cluster: &Cluster) {
    let email = email("spread-password", cluster.instance(0));
    cluster.verified_account(&email);
    let mut devices: Vec<Client> = instances(cluster)
        .map(|i| signed_in(cluster, i, &email))
        .collect();
    for (d, device) in devices.iter_mut().enumerate() {
        for i in instances(cluster) {
            assert_eq!(
                me_on(cluster, i, device),
                (200, email.clone()),
                "device {d} on instance {i}"
            );
        }
    }
    // The first device changes the password on instance 1 with a form from instance 2.
    let (changer, others) = devices.split_first_mut().expect("three devices");
    let page = on(cluster, 2, changer).get("/auth/account/password");
    assert_eq!(page.status, 200, "{}", page.body);
    let r = on(cluster, 1, changer).post(
        "/auth/account/password",
        &[
            ("current_password", PASSWORD),
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ],
    );
    assert!(
        r.status == 303 || r.status == 200,
        "{} {}",
        r.status,
        r.body
    );
    for i in instances(cluster) {
        assert_eq!(
            me_on(cluster, i, changer),
            (200, email.clone()),
            "the changing session on instance {i}"
        );
        for (d, device) in others.iter_mut().enumerate() {
            assert_eq!(
                me_on(cluster, i, device).0,
                401,
                "device {} survived the password change on instance {i}",
                d + 1
            );
        }
    }
    for i in instances(cluster) {
        let mut c = cluster.instance(i).client();
        let r = c.api_login(&email, PASSWORD);
        assert_eq!(
            r.status, 401,
            "the old password on instance {i}: {}",
            r.body
        );
    }
    let mut c = cluster.instance(2).client();
    assert_eq!(c.api_login(&email, NEW_PASSWORD).status, 200);
}

/// An administrator disables an account on one instance; once it is enabled again and
/// signed in anew, signs it out everywhere on another instance. Each time, the
/// account's sessions, just used on every instance, are refused on every instance by
/// the very next request, through the API and the dashboard alike.
fn an_administrator_disabling_or_signing_out_an_account_ends_its_sessions_everywhere(
    cluster: &Cluster,
) {
    let admin = email("spread-admin", cluster.instance(0));
    cluster.instance(0).create_user(&admin, true, true);
    let member = email("spread-member", cluster.instance(0));
    cluster.verified_account(&member);
    let mut root = signed_in(cluster, 0, &admin);
    let r = root.get_json(&format!("/auth/api/admin/users?q={}", enc(&member)));
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.json()["users"][0]["id"]
        .as_str()
        .expect("the member's id")
        .to_owned();

    for (round, action) in ["disable", "logout"].into_iter().enumerate() {
        let mut devices: Vec<Client> = instances(cluster)
            .map(|i| signed_in(cluster, i, &member))
            .collect();
        for (d, device) in devices.iter_mut().enumerate() {
            for i in instances(cluster) {
                assert_eq!(
                    me_on(cluster, i, device),
                    (200, member.clone()),
                    "device {d} on instance {i} before {action}"
                );
            }
        }
        let acting = round + 1;
        let r = on(cluster, acting, &mut root)
            .api(&format!("/auth/api/admin/users/{id}/{action}"), json!({}));
        assert_eq!(r.status, 204, "{action} on instance {acting}: {}", r.body);
        for (d, device) in devices.iter_mut().enumerate() {
            for i in instances(cluster) {
                assert_eq!(
                    me_on(cluster, i, device).0,
                    401,
                    "{action} on instance {acting}: device {d} still signed in on instance {i}"
                );
                let r = on(cluster, i, device).get("/dashboard");
                assert_eq!(r.status, 303, "{action}, instance {i}: {}", r.body);
                assert!(r.location().starts_with("/auth/login"), "{}", r.location());
            }
        }
        if action == "disable" {
            for i in instances(cluster) {
                let r = cluster.instance(i).client().api_login(&member, PASSWORD);
                assert_eq!(r.status, 403, "disabled, instance {i}: {}", r.body);
                assert_eq!(r.error_code(), "account_disabled");
            }
            let r = on(cluster, 0, &mut root)
                .api(&format!("/auth/api/admin/users/{id}/enable"), json!({}));
            assert_eq!(r.status, 204, "enable: {}", r.body);
        }
    }
    // The administrator's own session was never touched.
    for i in instances(cluster) {
        assert_eq!(
            me_on(cluster, i, &mut root),
            (200, admin.clone()),
            "instance {i}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Lockout and rate limits

/// Wrong passwords for `login` from a new client (source address) each, on the
/// instance `instance_of(attempt)` chooses: the number of the first attempt answered
/// with 429, which must be the lockout's.
fn attempts_until_locked(
    cluster: &Cluster,
    login: &str,
    instance_of: impl Fn(usize) -> usize,
) -> usize {
    for attempt in 1..=30 {
        let mut c = cluster.instance(instance_of(attempt)).client();
        let r = c.api_login(login, "not the password at all");
        if r.status == 429 {
            assert_eq!(r.error_code(), "account_locked", "{}", r.body);
            return attempt;
        }
        assert_eq!(r.status, 401, "attempt {attempt}: {}", r.body);
    }
    panic!("{login} was not locked after 30 wrong passwords");
}

/// Failed sign-ins sent round-robin to the instances lock the account at the same
/// attempt as failed sign-ins all sent to one, and the lock holds on every instance.
fn failed_sign_ins_spread_over_the_instances_lock_at_the_same_threshold(cluster: &Cluster) {
    let alone = email("lock-alone", cluster.instance(0));
    cluster.verified_account(&alone);
    let on_one = attempts_until_locked(cluster, &alone, |_| 0);

    let spread = email("lock-spread", cluster.instance(0));
    cluster.verified_account(&spread);
    let across = attempts_until_locked(cluster, &spread, |attempt| attempt);
    assert_eq!(
        across,
        on_one,
        "spread over {} instances the lock came at attempt {across}, on one at {on_one}",
        cluster.instances.len()
    );
    // The right password is refused on every instance while locked.
    for i in instances(cluster) {
        let mut c = cluster.instance(i).client();
        let r = c.api_login(&spread, PASSWORD);
        assert_eq!(r.status, 429, "instance {i}: {}", r.body);
        assert_eq!(r.error_code(), "account_locked");
        assert!(r.header("retry-after").is_some(), "instance {i}");
    }
}

/// Sign-ins to unknown accounts from `client` (one source address) on the instance
/// `instance_of(attempt)` chooses: the number of the first attempt answered with 429,
/// which must be the per-address limit's.
fn attempts_until_limited(
    cluster: &Cluster,
    client: &mut Client,
    scenario: &str,
    instance_of: impl Fn(usize) -> usize,
) -> usize {
    for attempt in 1..=120 {
        let login = format!("{scenario}-{attempt}@example.com");
        let r = on(cluster, instance_of(attempt), client).api_login(&login, "not the password");
        if r.status == 429 {
            assert_eq!(r.error_code(), "rate_limited", "{}", r.body);
            return attempt;
        }
        assert_eq!(r.status, 401, "attempt {attempt}: {}", r.body);
    }
    panic!("120 sign-ins from one address were not limited");
}

/// Sign-ins from one client address sent round-robin to the instances meet the
/// per-address limit at the same attempt as sign-ins all sent to one; then every
/// instance refuses that address, and only that address.
fn per_client_limits_trip_at_the_same_count_across_the_instances(cluster: &Cluster) {
    let first = cluster.instance(0);
    let mut alone = first.client();
    let on_one = attempts_until_limited(cluster, &mut alone, &email("limit-alone", first), |_| 0);
    let mut spread = first.client();
    let across = attempts_until_limited(cluster, &mut spread, &email("limit-spread", first), |a| a);
    assert_eq!(
        across,
        on_one,
        "spread over {} instances the limit came at attempt {across}, on one at {on_one}",
        cluster.instances.len()
    );
    let unknown = email("limited", first);
    for i in instances(cluster) {
        let r = on(cluster, i, &mut spread).api_login(&unknown, "not the password");
        assert_eq!(r.status, 429, "instance {i}: {}", r.body);
        assert_eq!(r.error_code(), "rate_limited");
        let mut other = cluster.instance(i).client();
        let r = other.api_login(&unknown, "not the password");
        assert_eq!(r.status, 401, "another address on instance {i}: {}", r.body);
    }
}

// ---------------------------------------------------------------------------------------
// Links

fn assert_already_used(r: &Resp, what: &str) {
    assert_eq!(r.status, 400, "{what}: {}", r.body);
    assert_eq!(r.error_code(), "invalid_token", "{what}: {}", r.body);
    assert_eq!(
        r.json()["error"]["fields"]["token"]["code"],
        "already_used",
        "{what}: {}",
        r.body
    );
}

/// A confirmation link and a reset link, each used on one instance, are refused on
/// every instance (through the API and the reset page).
fn a_link_used_on_one_instance_is_dead_on_every_instance(cluster: &Cluster) {
    let email = email("spread-links", cluster.instance(0));
    let mut c = cluster.instance(0).client();
    let r = c.api(
        "/auth/api/register",
        json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let verify = cluster
        .instance(0)
        .mailed_token(&email, "verification", "/verify/");
    let r = on(cluster, 1, &mut c).api("/auth/api/verify", json!({ "token": verify }));
    assert_eq!(r.status, 200, "{}", r.body);
    for i in instances(cluster) {
        let r = on(cluster, i, &mut c).api("/auth/api/verify", json!({ "token": verify }));
        assert_already_used(&r, &format!("the confirmation link again on instance {i}"));
    }

    let r = on(cluster, 2, &mut c).api(
        "/auth/api/request_password_reset",
        json!({ "email": email }),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let reset = cluster
        .instance(0)
        .mailed_token(&email, "password_reset", "/reset/");
    let r = on(cluster, 0, &mut c).api(
        "/auth/api/reset_password",
        json!({"token": reset, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    for i in instances(cluster) {
        let r = on(cluster, i, &mut c).api(
            "/auth/api/reset_password",
            json!({"token": reset, "password": PASSWORD, "password_confirm": PASSWORD}),
        );
        assert_already_used(&r, &format!("the reset link again on instance {i}"));
        let mut b = cluster.instance(i).client();
        let r = b.get(&format!("/auth/reset/{reset}"));
        assert_eq!(r.status, 303, "instance {i}: {}", r.body);
        let page = b.follow(&r);
        assert_eq!(
            page.status, 400,
            "the reset page on instance {i}: {}",
            page.body
        );
        assert!(
            !page.body.contains("type=\"password\""),
            "instance {i} offers a password form: {}",
            page.body
        );
    }
    for i in instances(cluster) {
        let mut c = cluster.instance(i).client();
        assert_eq!(c.api_login(&email, PASSWORD).status, 401, "instance {i}");
    }
    let mut c = cluster.instance(1).client();
    assert_eq!(c.api_login(&email, NEW_PASSWORD).status, 200);
}

/// Every instance submits the same reset link at the same moment, each with its own new
/// password: exactly one succeeds, the others are told the link is used, and only the
/// winner's password signs in. Several rounds, so that the requests really overlap.
fn instances_racing_one_reset_link_let_exactly_one_win(cluster: &Cluster) {
    let passwords: Vec<&str> = std::iter::once(NEW_PASSWORD)
        .chain(OTHER_PASSWORDS)
        .take(cluster.instances.len())
        .collect();
    assert_eq!(passwords.len(), cluster.instances.len(), "a password each");
    for round in 0..3 {
        let email = email("reset-race", cluster.instance(round));
        cluster.verified_account(&email);
        let mut c = cluster.instance(round).client();
        let r = c.api(
            "/auth/api/request_password_reset",
            json!({ "email": email }),
        );
        assert_eq!(r.status, 202, "{}", r.body);
        let token = cluster
            .instance(0)
            .mailed_token(&email, "password_reset", "/reset/");
        let start = Barrier::new(cluster.instances.len());
        let answers: Vec<Resp> = std::thread::scope(|scope| {
            let racers: Vec<_> = passwords
                .iter()
                .enumerate()
                .map(|(i, password)| {
                    let mut racer = cluster.instance(i).client();
                    let (start, token) = (&start, &token);
                    scope.spawn(move || {
                        start.wait();
                        racer.api(
                            "/auth/api/reset_password",
                            json!({"token": token, "password": password, "password_confirm": password}),
                        )
                    })
                })
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let winners: Vec<usize> = (0..answers.len())
            .filter(|&i| answers[i].status == 200)
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "round {round}: {:?}",
            answers
                .iter()
                .map(|r| (r.status, &r.body))
                .collect::<Vec<_>>()
        );
        let winner = winners[0];
        for (i, r) in answers.iter().enumerate().filter(|(i, _)| *i != winner) {
            assert_already_used(r, &format!("round {round}: the loser on instance {i}"));
        }
        for (i, password) in passwords.iter().enumerate() {
            let mut c = cluster.instance(i + 1).client();
            let r = c.api_login(&email, password);
            let expected = if i == winner { 200 } else { 401 };
            assert_eq!(
                r.status, expected,
                "round {round}: the password of instance {i} (winner {winner}): {}",
                r.body
            );
        }
    }
}
