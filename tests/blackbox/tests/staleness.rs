//! The opt-in staleness of session lookups (`--session-staleness <ms>`) across two demo
//! processes sharing PostgreSQL (users) and Redis (sessions, counters and the revision of
//! users and sessions): a session revoked on one instance may be served by the other for
//! at most the bound after the revoking request returned, and is refused from then on;
//! the instance that revoked it refuses it at once. Without the flag no staleness at all
//! (`instances.rs`).
use std::time::{Duration, Instant};

use blackbox_tests::{Backend, Client, Cluster, Framework, PASSWORD, email};
use serde_json::json;

/// The staleness the instances are started with.
const BOUND: Duration = Duration::from_millis(3000);

fn cluster() -> Cluster {
    let bound = BOUND.as_millis().to_string();
    Cluster::start_with(
        Backend::PostgresRedis,
        &[Framework::Axum, Framework::Axum],
        &["--session-staleness", &bound],
    )
}

/// The status of `GET /auth/api/me` with `client` on instance `i`.
fn me_on(cluster: &Cluster, i: usize, client: &mut Client) -> u16 {
    client.set_addr(&cluster.instance(i).addr);
    client.get_json("/auth/api/me").status
}

/// Signs in on instance 0 and uses the session on instance 1 (where its lookup is kept,
/// with the revision read then), then revokes it on instance 0 with `revoke`: instance 0
/// refuses it at once; instance 1 still serves it while its copy of the revision is
/// younger than the bound (checked when the revocation returned soon enough to tell),
/// and refuses it once the bound has passed since the revocation returned.
fn revoked_on_zero_is_refused_on_one_after_the_bound(
    cluster: &Cluster,
    email: &str,
    revoke: impl FnOnce(&mut Client),
) {
    let mut here = cluster.instance(0).client();
    let r = here.login(email, PASSWORD);
    assert_eq!(r.status, 303, "{}", r.body);
    let mut there = cluster.instance(1).client();
    there.jar.clone_from(&here.jar);
    assert_eq!(me_on(cluster, 1, &mut there), 200);
    let copied = Instant::now();
    assert_eq!(me_on(cluster, 1, &mut there), 200);

    revoke(&mut here);
    let returned = Instant::now();
    assert_eq!(
        me_on(cluster, 0, &mut there),
        401,
        "refused where it was revoked"
    );
    let stale = me_on(cluster, 1, &mut there);
    if copied.elapsed() < BOUND / 2 {
        assert_eq!(
            stale, 200,
            "served from the other instance's memory within the bound"
        );
    }
    std::thread::sleep(BOUND.saturating_sub(returned.elapsed()));
    assert_eq!(me_on(cluster, 1, &mut there), 401, "served past the bound");
    let r = there.get("/dashboard");
    assert_eq!(r.status, 303, "{}", r.body);
}

#[test_services::needs(postgres, redis)]
#[test]
fn a_logout_is_seen_by_the_other_instance_within_the_bound() {
    let cluster = cluster();
    let email = email("stale-logout", cluster.instance(0));
    cluster.verified_account(&email);
    revoked_on_zero_is_refused_on_one_after_the_bound(&cluster, &email, |c| {
        let r = c.api("/auth/api/logout", json!({}));
        assert_eq!(r.status, 204, "{}", r.body);
    });
}

#[test_services::needs(postgres, redis)]
#[test]
fn a_logout_everywhere_is_seen_by_the_other_instance_within_the_bound() {
    let cluster = cluster();
    let email = email("stale-everywhere", cluster.instance(0));
    cluster.verified_account(&email);
    let mut other = cluster.instance(0).client();
    assert_eq!(other.login(&email, PASSWORD).status, 303);
    revoked_on_zero_is_refused_on_one_after_the_bound(&cluster, &email, |_| {
        // Another device signs every session of the account out.
        let r = other.api("/auth/api/logout_everywhere", json!({}));
        assert_eq!(r.status, 200, "{}", r.body);
    });
}
