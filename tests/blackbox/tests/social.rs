//! Sign-in with another provider on every demo (SQLite), through a real, certified
//! OpenID provider (node `oidc-provider`, `tests/oidc-provider/provider.mjs`) given to
//! the demo with `--oidc-provider`: the buttons, a first sign-in creating a confirmed
//! account, a replayed and a forged callback refused, the last way in kept, and an
//! existing account's address linked only after its owner signs in and confirms. The
//! provider's own login and consent pages are submitted by a second client, as the
//! person's browser would. Needs `AUTH_TEST_OIDC_PROVIDER` (`.ci/services.sh`).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use blackbox_tests::{Backend, Client, Demo, Framework, PASSWORD};

/// A running provider, stopped when dropped.
struct RunningProvider {
    issuer: String,
    child: Child,
}

impl Drop for RunningProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The provider, with the demo's callbacks (on `demo_port`) of `idp` and `idp2` as its
/// clients' redirect URIs.
fn start_provider(demo_port: u16) -> RunningProvider {
    start_provider_on(free_port(), demo_port)
}

/// [`start_provider`] listening on `port`.
fn start_provider_on(port: u16, demo_port: u16) -> RunningProvider {
    let dir = std::env::var("AUTH_TEST_OIDC_PROVIDER")
        .expect("AUTH_TEST_OIDC_PROVIDER: run `source .ci/services.sh; ensure_oidc_provider`");
    let mut child = Command::new("node")
        .arg(format!("{dir}/provider.mjs"))
        .arg(port.to_string())
        .args(
            ["idp", "idp2"]
                .map(|name| format!("http://127.0.0.1:{demo_port}/auth/oidc/{name}/callback")),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs the provider");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines
        .next()
        .expect("the provider prints its address")
        .unwrap();
    let issuer = line
        .strip_prefix("listening on ")
        .expect("listening on <issuer>")
        .to_owned();
    // Keep reading: a closed pipe would end the provider when it writes a notice.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    RunningProvider { issuer, child }
}

/// The `--oidc-provider` of a demo signing in through `provider` as `idp`.
fn provider_spec(provider: &RunningProvider) -> String {
    format!(
        "name=idp,issuer={},client-id=rp,client-secret=rp-secret,label=Test IdP",
        provider.issuer
    )
}

/// The provider and a demo of `framework` (SQLite) configured with it as `idp`.
fn site(framework: Framework) -> (RunningProvider, Demo) {
    site_on(framework, Backend::Sqlite, &[])
}

/// The provider and a demo of `framework` on `backend` configured with it as `idp`,
/// and with the extra `flags`.
fn site_on(framework: Framework, backend: Backend, flags: &[&str]) -> (RunningProvider, Demo) {
    let port = free_port();
    let provider = start_provider(port);
    let spec = provider_spec(&provider);
    let mut all = vec!["--oidc-provider", spec.as_str()];
    all.extend_from_slice(flags);
    let demo = Demo::start_on_port(framework, backend, port, &all);
    (provider, demo)
}

/// The `--oidc-provider` registering the same provider a second time, as `idp2` with
/// the client `rp2`, with the extra `options` (`,key=value...`).
fn second_spec(provider: &RunningProvider, options: &str) -> String {
    format!(
        "name=idp2,issuer={},client-id=rp2,client-secret=rp2-secret,label=Second IdP{options}",
        provider.issuer
    )
}

/// The path and query of `url` when it is under `base`.
fn local(url: &str, base: &str) -> Option<String> {
    url.strip_prefix(base).map(str::to_owned)
}

/// What a person does at the provider: follows its redirects, signs in as `login` and
/// consents, until it sends the browser back to the demo; returns that path (the
/// callback with its query).
fn authorize(provider: &RunningProvider, demo: &Demo, url: &str, login: &str) -> String {
    let issuer = &provider.issuer;
    let mut browser = Client::new(issuer.trim_start_matches("http://"), issuer);
    let mut path = local(url, issuer).unwrap_or_else(|| panic!("{url} is not the provider's"));
    let mut resp = browser.get(&path);
    for _ in 0..20 {
        if (300..400).contains(&resp.status) {
            let location = resp.location().to_owned();
            if let Some(back) = local(&location, &demo.base_url) {
                return back;
            }
            path = local(&location, issuer).unwrap_or(location);
            resp = browser.get(&path);
            continue;
        }
        let page = resp.body.clone();
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("a form on the provider's page: {page}"))
            .to_owned();
        let action = local(&action, issuer).unwrap_or(action);
        let fields: Vec<(&str, &str)> = if page.contains("name=\"login\"") {
            vec![("prompt", "login"), ("login", login), ("password", "any")]
        } else {
            vec![("prompt", "consent")]
        };
        resp = browser.send(
            "POST",
            &action,
            blackbox_tests::Body::Form(&fields, false),
            &[],
        );
    }
    panic!("the provider never sent the browser back");
}

/// Starts a sign-in on `app` (the demo's client) and authorizes it as `login`: the
/// callback path, not yet visited.
fn through_provider(
    provider: &RunningProvider,
    demo: &Demo,
    app: &mut Client,
    login: &str,
) -> String {
    through("idp", provider, demo, app, login)
}

/// [`through_provider`] with the provider registered as `name`.
fn through(
    name: &str,
    provider: &RunningProvider,
    demo: &Demo,
    app: &mut Client,
    login: &str,
) -> String {
    let r = app.get(&format!("/auth/oidc/{name}/start"));
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.location().to_owned();
    assert!(to.starts_with(&provider.issuer), "{to}");
    for part in ["code_challenge_method=S256", "nonce=", "state="] {
        assert!(to.contains(part), "{to} lacks {part}");
    }
    let cookie = r.set_cookie("auth_oidc").expect("the binding cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    authorize(provider, demo, &to, login)
}

/// The provider's answer in a callback path, as the JSON callback takes it.
fn answer_of(callback: &str) -> serde_json::Map<String, serde_json::Value> {
    let query = callback.split_once('?').unwrap().1;
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            let v = v.replace("%3A", ":").replace("%2F", "/");
            (k.to_owned(), serde_json::Value::String(v))
        })
        .collect()
}

fn identities(app: &mut Client) -> Vec<serde_json::Value> {
    let r = app.get_json("/auth/api/account/identities");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["identities"].as_array().unwrap().clone()
}

/// A first sign-in makes a confirmed account without a password; its callback cannot
/// be replayed, a forged `state` and another browser are refused, and the only way in
/// cannot be unlinked.
fn first_sign_in_replay_and_last_way_in(framework: Framework, backend: Backend) {
    let (provider, demo) = site_on(framework, backend, &[]);
    let mut app = demo.client();
    let page = app.get("/auth/login");
    assert!(
        page.body.contains("Continue with Test IdP"),
        "{}",
        page.body
    );
    assert!(page.body.contains("/auth/oidc/idp/start"), "{}", page.body);
    assert!(
        app.get("/auth/register")
            .body
            .contains("Continue with Test IdP")
    );

    let callback = through_provider(&provider, &demo, &mut app, "alice");
    assert!(
        callback.starts_with("/auth/oidc/idp/callback?"),
        "{callback}"
    );
    let r = app.get(&callback);
    assert_eq!(r.status, 303, "{}", r.body);
    let me = app.get_json("/auth/api/me");
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["user"]["email"], "alice@example.test");
    assert_eq!(me.json()["user"]["email_verified"], true, "{}", me.body);

    // The same answer again (a replay, even from the browser that started it).
    let replay = app.get(&callback);
    assert_eq!(replay.status, 400, "{}", replay.body);
    assert!(replay.body.contains("failed or expired"), "{}", replay.body);

    // A forged state, and a real answer brought to another browser.
    let mut other = demo.client();
    let callback = through_provider(&provider, &demo, &mut other, "alice");
    let forged = callback.replace("state=", "state=x");
    assert_eq!(other.get(&forged).status, 400);
    let mut third = demo.client();
    let callback = through_provider(&provider, &demo, &mut third, "alice");
    let mut stranger = demo.client();
    let r = stranger.get(&callback);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(stranger.get_json("/auth/api/me").status, 401);
    // The flow was used up by the stranger's attempt: its own browser is refused too.
    assert_eq!(third.get(&callback).status, 400);

    // The account page lists the identity; unlinking the only way in is refused.
    let page = app.get("/auth/account/identities");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Test IdP"), "{}", page.body);
    let r = app.post(
        "/auth/account/identities/unlink",
        &[("provider", "idp"), ("subject", "alice")],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("only way to sign in"), "{}", r.body);
    let r = app.api(
        "/auth/api/account/identities/unlink",
        serde_json::json!({"provider": "idp", "subject": "alice"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["provider"].is_object(),
        "{}",
        r.body
    );
    assert_eq!(identities(&mut app).len(), 1);

    // The JSON face, as a single-page application uses it.
    let mut spa = demo.client();
    let r = spa.get_json("/auth/api/oidc/providers");
    assert_eq!(r.json()["providers"][0]["name"], "idp", "{}", r.body);
    let r = spa.api("/auth/api/oidc/idp/start", serde_json::json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.set_cookie("auth_oidc").is_some());
    let url = r.json()["url"].as_str().unwrap().to_owned();
    let callback = authorize(&provider, &demo, &url, "alice");
    let answer = answer_of(&callback);
    let r = spa.api(
        "/auth/api/oidc/idp/callback",
        serde_json::Value::Object(answer.clone()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["email"], "alice@example.test");
    let r = spa.api(
        "/auth/api/oidc/idp/callback",
        serde_json::Value::Object(answer),
    );
    assert_eq!(r.status, 400, "a replay: {}", r.body);
    assert_eq!(r.error_code(), "provider_sign_in_failed");
}

/// An account with the provider's verified address is linked only after its owner signs
/// in with the password and confirms; both link and unlink are mailed.
fn existing_address_needs_proof_before_linking(framework: Framework, backend: Backend) {
    let (provider, demo) = site_on(framework, backend, &[]);
    let email = "carol@example.test";
    demo.create_user(email, false, true);
    let mut app = demo.client();
    let callback = through_provider(&provider, &demo, &mut app, "carol");
    let r = app.get(&callback);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/auth/oidc/link");
    assert_eq!(app.get_json("/auth/api/me").status, 401, "not signed in");
    let page = app.get("/auth/oidc/link");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("prove that it is yours"),
        "{}",
        page.body
    );

    // Someone who only has the provider's answer cannot confirm.
    let r = app.post("/auth/oidc/link", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().starts_with("/auth/login"), "{}", r.location());

    let r = app.post(
        "/auth/login?next=%2Fauth%2Foidc%2Flink",
        &[
            ("login", email),
            ("password", PASSWORD),
            ("next", "/auth/oidc/link"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/auth/oidc/link");
    assert!(identities(&mut app).is_empty(), "signing in links nothing");
    let page = app.get("/auth/oidc/link");
    assert!(page.body.contains("Link Test IdP"), "{}", page.body);
    let r = app.post("/auth/oidc/link", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/auth/account/identities");
    let linked = identities(&mut app);
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0]["provider"], "idp");
    assert_eq!(linked[0]["subject"], "carol");
    demo.mail(email, "identity_linked");

    // The next sign-in with the provider reaches the account directly.
    let mut later = demo.client();
    let callback = through_provider(&provider, &demo, &mut later, "carol");
    assert_eq!(later.get(&callback).status, 303);
    assert_eq!(
        later.get_json("/auth/api/me").json()["user"]["email"],
        email
    );

    // With a password, the identity may go.
    let r = app.post(
        "/auth/account/identities/unlink",
        &[("provider", "idp"), ("subject", "carol")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(identities(&mut app).is_empty());
    demo.mail(email, "identity_unlinked");

    // An address the provider did not verify never matches an account: refused after
    // the flow was used up, so its cookie goes (page and JSON alike).
    demo.create_user("bob@example.test", false, true);
    let mut page = demo.client();
    let callback = through_provider(&provider, &demo, &mut page, "bob");
    let r = page.get(&callback);
    assert_eq!(r.status, 400, "{}", r.body);
    let gone = r
        .set_cookie("auth_oidc")
        .expect("the used flow's cookie goes");
    assert!(gone.contains("Max-Age=0"), "{gone}");
    assert_eq!(page.get_json("/auth/api/me").status, 401);
    let mut spa = demo.client();
    let r = spa.api("/auth/api/oidc/idp/start", serde_json::json!({}));
    let url = r.json()["url"].as_str().unwrap().to_owned();
    let callback = authorize(&provider, &demo, &url, "bob");
    let r = spa.api(
        "/auth/api/oidc/idp/callback",
        serde_json::Value::Object(answer_of(&callback)),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["provider"].is_object(),
        "{}",
        r.body
    );
    let gone = r
        .set_cookie("auth_oidc")
        .expect("the used flow's cookie goes");
    assert!(gone.contains("Max-Age=0"), "{gone}");
    assert_eq!(spa.get_json("/auth/api/me").status, 401);
}

/// Two tabs of one browser start a sign-in each (the newer flow's binding replaces the
/// older's in the cookie). Whichever answers first, the newer flow finishes; the older
/// one, and a replay, get a clear 400 page that changes nothing and leaves the newer
/// flow's binding alone.
fn two_tabs_the_newer_sign_in_finishes_in_either_order(framework: Framework) {
    let (provider, demo) = site(framework);
    for older_first in [true, false] {
        let mut browser = demo.client();
        let older = through_provider(&provider, &demo, &mut browser, "alice");
        let newer = through_provider(&provider, &demo, &mut browser, "alice");
        let refused = |browser: &mut Client, callback: &str, signed_in: bool| {
            let r = browser.get(callback);
            assert_eq!(r.status, 400, "older first: {older_first}: {}", r.body);
            assert!(r.body.contains("failed or expired"), "{}", r.body);
            assert!(
                r.set_cookie("auth_oidc").is_none(),
                "a refused answer leaves the binding: {:?}",
                r.headers
            );
            let me = browser.get_json("/auth/api/me");
            assert_eq!(me.status, if signed_in { 200 } else { 401 }, "{}", me.body);
        };
        if older_first {
            refused(&mut browser, &older, false);
        }
        let r = browser.get(&newer);
        assert_eq!(r.status, 303, "older first: {older_first}: {}", r.body);
        let me = browser.get_json("/auth/api/me");
        assert_eq!(
            me.json()["user"]["email"],
            "alice@example.test",
            "{}",
            me.body
        );
        if !older_first {
            refused(&mut browser, &older, true);
        }
        refused(&mut browser, &newer, true);
        assert_eq!(
            identities(&mut browser).len(),
            1,
            "one identity, linked once"
        );
    }
}

/// A demo started while its provider is down still starts (its `listening on` line)
/// and shows the provider's button; starting a sign-in answers 502
/// `provider_unavailable` (page and JSON) until the provider is up, then works without
/// a restart.
fn a_provider_down_at_start_up_is_used_once_up(framework: Framework) {
    let (provider_port, demo_port) = (free_port(), free_port());
    let spec = format!(
        "name=idp,issuer=http://127.0.0.1:{provider_port},client-id=rp,\
         client-secret=rp-secret,label=Test IdP"
    );
    let demo = Demo::start_on_port(
        framework,
        Backend::Sqlite,
        demo_port,
        &["--oidc-provider", &spec],
    );
    let mut app = demo.client();
    let page = app.get("/auth/login");
    assert!(
        page.body.contains("Continue with Test IdP"),
        "{}",
        page.body
    );
    let r = app.get("/auth/oidc/idp/start");
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(r.body.contains("could not be reached"), "{}", r.body);
    assert!(
        r.set_cookie("auth_oidc").is_none(),
        "no flow: {:?}",
        r.headers
    );
    let r = app.api("/auth/api/oidc/idp/start", serde_json::json!({}));
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.error_code(), "provider_unavailable");
    assert!(r.header("retry-after").is_some(), "{:?}", r.headers);
    assert_eq!(app.get_json("/auth/api/me").status, 401);

    let provider = start_provider_on(provider_port, demo_port);
    let callback = through_provider(&provider, &demo, &mut app, "alice");
    let r = app.get(&callback);
    assert_eq!(r.status, 303, "{}", r.body);
    let me = app.get_json("/auth/api/me");
    assert_eq!(
        me.json()["user"]["email"],
        "alice@example.test",
        "{}",
        me.body
    );
}

/// The answer for `idp` taken to the callback of `idp2` (the same provider registered
/// a second time, with another client): refused, nothing changed; and the flow is used
/// up, so the answer is refused at its own callback afterwards too.
fn a_callback_at_another_providers_route_is_refused(framework: Framework) {
    let port = free_port();
    let provider = start_provider(port);
    let (spec, second) = (provider_spec(&provider), second_spec(&provider, ""));
    let demo = Demo::start_on_port(
        framework,
        Backend::Sqlite,
        port,
        &["--oidc-provider", &spec, "--oidc-provider", &second],
    );
    let mut app = demo.client();
    let page = app.get("/auth/login");
    for label in ["Continue with Test IdP", "Continue with Second IdP"] {
        assert!(page.body.contains(label), "{label}: {}", page.body);
    }
    let callback = through_provider(&provider, &demo, &mut app, "alice");
    let mixed = callback.replacen("/auth/oidc/idp/", "/auth/oidc/idp2/", 1);
    assert_ne!(mixed, callback);
    let r = app.get(&mixed);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("failed or expired"), "{}", r.body);
    assert_eq!(app.get_json("/auth/api/me").status, 401, "not signed in");
    assert_eq!(app.get(&callback).status, 400, "the flow was used up");
    assert_eq!(app.get_json("/auth/api/me").status, 401);

    // The same through the JSON callback, and the other way round.
    let callback = through("idp2", &provider, &demo, &mut app, "alice");
    let answer = answer_of(&callback);
    let r = app.api(
        "/auth/api/oidc/idp/callback",
        serde_json::Value::Object(answer),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_code(), "provider_sign_in_failed");
    assert_eq!(app.get_json("/auth/api/me").status, 401);

    // A right answer at the right route still signs in, and made the one account.
    let callback = through("idp2", &provider, &demo, &mut app, "alice");
    assert_eq!(app.get(&callback).status, 303);
    let linked = identities(&mut app);
    assert_eq!(linked.len(), 1, "{linked:?}");
    assert_eq!(linked[0]["provider"], "idp2");
}

/// Codes an authenticator app shows for one account's secret, never for a time step
/// the account already used (the demo refuses a step used once).
struct App {
    totp: totp_rs::Totp,
    used: Vec<u64>,
}

impl App {
    fn new(secret: &str) -> Self {
        let secret = totp_rs::Secret::try_from_base32(secret.replace(' ', "")).unwrap();
        App {
            totp: totp_rs::Builder::new()
                .with_secret(secret.as_bytes().to_vec())
                .build()
                .unwrap(),
            used: Vec::new(),
        }
    }

    /// The code of an unused time step the demo accepts now (one step of skew either
    /// way), waiting for the next step when all three are used.
    fn code(&mut self) -> String {
        loop {
            let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap();
            let step = now / 30;
            if let Some(s) = [step, step + 1, step - 1]
                .into_iter()
                .find(|s| !self.used.contains(s))
            {
                self.used.push(s);
                return self.totp.generate(s * 30).to_string();
            }
            std::thread::sleep(std::time::Duration::from_secs(30 - now % 30 + 1));
        }
    }
}

/// Creates `<login>@example.test` with a password and an authenticator app, and links
/// the provider's `login` to it under each of `names` (signed in, from the identities
/// page's buttons); its app.
fn enrolled_and_linked(
    provider: &RunningProvider,
    demo: &Demo,
    login: &str,
    names: &[&str],
) -> App {
    let email = format!("{login}@example.test");
    demo.create_user(&email, false, true);
    let mut me = demo.client();
    assert_eq!(me.api_login(&email, PASSWORD).status, 200);
    let r = me.api(
        "/auth/api/account/second_factor/totp/start",
        serde_json::json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mut app = App::new(r.json()["secret"].as_str().unwrap());
    let r = me.api(
        "/auth/api/account/second_factor/totp/finish",
        serde_json::json!({ "code": app.code() }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    for name in names {
        let callback = through(name, provider, demo, &mut me, login);
        let r = me.get(&callback);
        assert_eq!(
            (r.status, r.location()),
            (303, "/auth/account/identities"),
            "{}",
            r.body
        );
    }
    assert_eq!(identities(&mut me).len(), names.len());
    app
}

/// The `amr` of the client's session.
fn session_amr(c: &mut Client) -> Vec<String> {
    let me = c.get_json("/auth/api/me");
    assert_eq!(me.status, 200, "{}", me.body);
    me.json()["session"]["amr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect()
}

/// Signs in through `name` as `login`, expecting the local second step: refused
/// without the code, then signed in with it; the session's `amr`.
fn signs_in_with_the_code(
    provider: &RunningProvider,
    demo: &Demo,
    name: &str,
    login: &str,
    app: &mut App,
) -> Vec<String> {
    let mut c = demo.client();
    let callback = through(name, provider, demo, &mut c, login);
    let r = c.get(&callback);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.location().starts_with("/auth/login/second_factor"),
        "{name} as {login}: {}",
        r.location()
    );
    assert_eq!(
        c.get_json("/auth/api/me").status,
        401,
        "not before the code"
    );
    let page = c.get(r.location());
    assert_eq!(page.status, 200, "{}", page.body);
    let r = c.post("/auth/login/second_factor", &[("code", &app.code())]);
    assert_eq!(r.status, 303, "{}", r.body);
    session_amr(&mut c)
}

/// An account with an authenticator app goes through the local second step after
/// signing in with a provider, even when the provider reports a multi-factor sign-in,
/// unless that provider is trusted for it (`trust-mfa=true`, here `idp2`) and the ID
/// token's `amr` shows several factors; a trusted provider's single-factor sign-in
/// still needs the code.
fn second_factor_after_social_sign_in_unless_its_mfa_is_trusted(framework: Framework) {
    let port = free_port();
    let provider = start_provider(port);
    let (spec, trusted) = (
        provider_spec(&provider),
        second_spec(&provider, ",trust-mfa=true"),
    );
    let demo = Demo::start_on_port(
        framework,
        Backend::Sqlite,
        port,
        &["--oidc-provider", &spec, "--oidc-provider", &trusted],
    );
    let mut erin = enrolled_and_linked(&provider, &demo, "erin", &["idp", "idp2"]);
    let mut frank = enrolled_and_linked(&provider, &demo, "frank", &["idp2"]);

    // Not trusted (the default): the code, though erin's token says "mfa".
    let amr = signs_in_with_the_code(&provider, &demo, "idp", "erin", &mut erin);
    assert!(amr.contains(&"otp".to_owned()), "{amr:?}");
    assert!(!amr.contains(&"external_mfa".to_owned()), "{amr:?}");

    // Trusted, and the token shows several factors: no local step.
    let mut c = demo.client();
    let callback = through("idp2", &provider, &demo, &mut c, "erin");
    let r = c.get(&callback);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        !r.location().contains("second_factor"),
        "no local step: {}",
        r.location()
    );
    let amr = session_amr(&mut c);
    assert!(amr.contains(&"external_mfa".to_owned()), "{amr:?}");
    assert!(!amr.contains(&"otp".to_owned()), "{amr:?}");

    // Trusted, but the token shows the password alone: the code again.
    let amr = signs_in_with_the_code(&provider, &demo, "idp2", "frank", &mut frank);
    assert!(!amr.contains(&"external_mfa".to_owned()), "{amr:?}");
}

/// The provider's own login and consent pages in the browser, as `login`.
fn at_the_provider(b: &blackbox_tests::webdriver::Browser, login: &str) {
    b.wait_for_text("Sign-in");
    b.fill("input[name=login]", login);
    b.fill("input[name=password]", "any");
    b.click("button[type=submit]");
    b.wait_for_text("Continue");
    b.click("button[type=submit]");
}

/// In real Chromium, through the provider's real redirects and pages, each journey in a
/// fresh browser: a first sign-in making an account; an existing account's address
/// linked after its owner signs in with the password and presses Link; and an account
/// with an authenticator app asked for its code after the provider.
fn social_journeys_in_a_real_browser(framework: Framework) {
    use blackbox_tests::webdriver::{Browser, browser_tools};
    let test = format!("{}::social_journeys_in_a_real_browser", framework.name());
    let (chromium, driver) = browser_tools(&test);
    let (provider, demo) = site(framework);
    let base = demo.base_url.clone();
    let start = |b: &Browser| {
        b.goto(&format!("{base}/auth/login"));
        b.wait_for_text("Continue with Test IdP");
        b.click("a[href*='/auth/oidc/idp/start']");
    };

    // A new account.
    let b = Browser::start(&chromium, &driver, (1280, 800));
    start(&b);
    at_the_provider(&b, "alice");
    b.wait_for_text("Signed in as");
    assert!(b.text().contains("alice@example.test"), "{}", b.text());
    b.goto(&format!("{base}/auth/account/identities"));
    b.wait_for_heading("Sign-in providers");
    b.wait_for_text("Test IdP");
    drop(b);

    // An existing account: linked only after its owner proves it.
    let email = "dave@example.test";
    demo.create_user(email, false, true);
    let b = Browser::start(&chromium, &driver, (390, 844));
    start(&b);
    at_the_provider(&b, "dave");
    b.wait_for_heading("Link Test IdP to your account");
    assert!(!b.text().contains("Signed in as"), "{}", b.text());
    b.fill("input[name=login]", email);
    b.fill("input[name=password]", PASSWORD);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("You are signed in. Link your Test IdP");
    b.click("main form.actions button[type=submit]");
    b.wait_for_heading("Sign-in providers");
    b.wait_for_text(email);
    assert!(
        b.document_width() <= 390,
        "no horizontal overflow on a phone"
    );
    drop(b);
    demo.mail(email, "identity_linked");

    // An account with an authenticator app: the code after the provider.
    let mut app = enrolled_and_linked(&provider, &demo, "erin", &["idp"]);
    let b = Browser::start(&chromium, &driver, (1280, 800));
    start(&b);
    at_the_provider(&b, "erin");
    b.wait_for_heading("Two-step sign-in");
    assert!(b.url().contains("/auth/login/second_factor"), "{}", b.url());
    assert!(!b.text().contains("Signed in as"), "{}", b.text());
    b.fill("input[name=code]", &app.code());
    b.click("main form.form button[type=submit]");
    b.wait_for_text("Signed in as");
    assert!(b.text().contains("erin@example.test"), "{}", b.text());
}

macro_rules! per_framework {
    ($($module:ident => $framework:ident),*) => {$(
        mod $module {
            #[test_services::needs(oidc_provider)]
            #[test]
            fn first_sign_in_replay_and_last_way_in() {
                super::first_sign_in_replay_and_last_way_in(blackbox_tests::Framework::$framework, blackbox_tests::Backend::Sqlite);
            }

            #[test_services::needs(oidc_provider)]
            #[test]
            fn existing_address_needs_proof_before_linking() {
                super::existing_address_needs_proof_before_linking(blackbox_tests::Framework::$framework, blackbox_tests::Backend::Sqlite);
            }

            #[test_services::needs(oidc_provider)]
            #[test]
            fn two_tabs_the_newer_sign_in_finishes_in_either_order() {
                super::two_tabs_the_newer_sign_in_finishes_in_either_order(blackbox_tests::Framework::$framework);
            }

            #[test_services::needs(oidc_provider)]
            #[test]
            fn a_provider_down_at_start_up_is_used_once_up() {
                super::a_provider_down_at_start_up_is_used_once_up(blackbox_tests::Framework::$framework);
            }

            #[test_services::needs(oidc_provider)]
            #[test]
            fn a_callback_at_another_providers_route_is_refused() {
                super::a_callback_at_another_providers_route_is_refused(blackbox_tests::Framework::$framework);
            }

            #[test_services::needs(oidc_provider)]
            #[test]
            fn second_factor_after_social_sign_in_unless_its_mfa_is_trusted() {
                super::second_factor_after_social_sign_in_unless_its_mfa_is_trusted(blackbox_tests::Framework::$framework);
            }

            #[test_services::needs(oidc_provider, chromium, chromedriver)]
            #[test]
            fn social_journeys_in_a_real_browser() {
                super::social_journeys_in_a_real_browser(blackbox_tests::Framework::$framework);
            }

            /// The same journeys with users in PostgreSQL and sessions and flows in Redis.
            mod postgres_redis {
                #[test_services::needs(oidc_provider, postgres, redis)]
                #[test]
                fn first_sign_in_replay_and_last_way_in() {
                    super::super::first_sign_in_replay_and_last_way_in(blackbox_tests::Framework::$framework, blackbox_tests::Backend::PostgresRedis);
                }

                #[test_services::needs(oidc_provider, postgres, redis)]
                #[test]
                fn existing_address_needs_proof_before_linking() {
                    super::super::existing_address_needs_proof_before_linking(blackbox_tests::Framework::$framework, blackbox_tests::Backend::PostgresRedis);
                }
            }
        }
    )*};
}

per_framework!(axum => Axum, poem => Poem, rocket => Rocket);

/// Screenshots for docs/social-sign-in.md, through the provider in real Chromium (its
/// redirects and pages included), at phone (390 px) and desktop (1280 px) widths, each
/// checked for horizontal overflow. Not part of the normal run:
/// `cargo test -p blackbox-tests --test social -- --ignored screenshots`.
#[test]
#[ignore = "writes docs/screenshots; run explicitly"]
fn screenshots_of_the_social_pages() {
    use blackbox_tests::webdriver::{Browser, browser_tools};
    const SIZES: [(&str, (u32, u32)); 2] = [("phone", (390, 844)), ("desktop", (1280, 800))];
    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    let mut overflow = Vec::new();
    let shoot = |b: &Browser, name: &str, overflow: &mut Vec<String>| {
        for (size, dims) in SIZES {
            b.set_window(dims);
            let png = b.screenshot();
            assert!(png.starts_with(b"\x89PNG"), "a PNG");
            std::fs::write(out.join(format!("{name}-{size}.png")), png).expect("written");
            let width = b.document_width();
            if width > dims.0 {
                overflow.push(format!("{name} at {size}: {width}px wide"));
            }
        }
    };
    let (chromium, driver) = browser_tools("screenshots_of_the_social_pages");
    let (provider, demo) = site(Framework::Axum);
    let base = demo.base_url.clone();
    let email = "dave@example.test";
    demo.create_user(email, false, true);
    let b = Browser::start(&chromium, &driver, SIZES[1].1);

    b.goto(&format!("{base}/auth/login"));
    b.wait_for_text("Continue with Test IdP");
    shoot(&b, "sign-in-providers", &mut overflow);

    // A site with passkeys too (served as localhost, which a browser takes as their
    // relying party): the passkey button heads the provider's under one "or".
    let spec = provider_spec(&provider);
    let both = Demo::start_on_localhost_with(
        Framework::Axum,
        Backend::Sqlite,
        &["--oidc-provider", &spec],
    );
    b.goto(&format!("{}/auth/login", both.base_url));
    b.wait_for_text("Sign in with a passkey");
    b.wait_for_text("Continue with Test IdP");
    shoot(&b, "sign-in-passkey-providers", &mut overflow);
    b.goto(&format!("{base}/auth/login"));
    b.wait_for_text("Continue with Test IdP");

    // Through the provider's own login and consent pages, back to the proof page.
    b.click("a[href*='/auth/oidc/idp/start']");
    b.wait_for_text("Sign-in");
    b.fill("input[name=login]", "dave");
    b.fill("input[name=password]", "any");
    b.click("button[type=submit]");
    b.wait_for_text("Continue");
    b.click("button[type=submit]");
    b.wait_for_heading("Link Test IdP to your account");
    shoot(&b, "oidc-link", &mut overflow);
    b.fill("input[name=login]", email);
    b.fill("input[name=password]", PASSWORD);
    b.click("main form.form button[type=submit]");
    b.wait_for_text("You are signed in. Link your Test IdP");
    shoot(&b, "oidc-link-confirm", &mut overflow);
    b.click("main form.actions button[type=submit]");
    b.wait_for_heading("Sign-in providers");
    b.wait_for_text("dave@example.test");
    shoot(&b, "account-identities", &mut overflow);
    assert!(
        overflow.is_empty(),
        "pages wider than the window: {overflow:?}"
    );
}
