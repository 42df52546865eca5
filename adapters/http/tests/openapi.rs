//! The OpenAPI document: the committed `docs/openapi.json` is what the code generates,
//! the layer serves it for its own mount point, every documented operation is routed,
//! and the typed request bodies are what the endpoints read.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::path::PathBuf;

use auth_core::conformance::engine;
use auth_core::{Auth, RegistrationMode};
use auth_http::AuthWeb;
use auth_http::openapi::requests::{LoginRequest, TokenMode};
use auth_http::openapi::{DEMO_MOUNT, document};
use auth_http::testkit::{Browser, LayerOnly, PASSWORD};
use http::{Method, StatusCode};
use serde_json::Value;

fn site() -> (Auth, AuthWeb) {
    let config = engine::config()
        .registration(RegistrationMode::EnumerationSafe)
        .build()
        .unwrap();
    let auth = auth_http::testkit::engine_with_api_keys(config);
    let web = AuthWeb::builder(auth.clone())
        .secret(vec![7u8; 32])
        .insecure_dev_cookies(true)
        .build()
        .unwrap();
    (auth, web)
}

fn browser(web: &AuthWeb) -> Browser<LayerOnly> {
    Browser::new(LayerOnly::new(web.clone()))
}

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

#[test]
fn the_committed_document_is_the_generated_one() {
    let generated = document(DEMO_MOUNT);
    let path = committed_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is not the document the code generates (the JSON API changed?). \
         Review the change, then regenerate it with \
         `UPDATE_OPENAPI=1 cargo nextest run -p auth-http -E 'test(the_committed_document_is_the_generated_one)'` \
         and commit it."
    );
}

#[test]
fn the_document_is_openapi_3_1_with_the_error_shape_and_the_credentials() {
    let doc: Value = serde_json::from_str(&document("/auth")).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["sessionCookie"]["in"], "cookie");
    assert_eq!(schemes["bearerSession"]["scheme"], "bearer");
    assert_eq!(schemes["apiKey"]["scheme"], "bearer");
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(
        error["properties"]["error"]["$ref"],
        "#/components/schemas/ErrorDetail"
    );
    let detail = &doc["components"]["schemas"]["ErrorDetail"]["properties"];
    for field in ["code", "message", "fields"] {
        assert!(detail.get(field).is_some(), "ErrorDetail lacks {field}");
    }
    let login = &doc["paths"]["/auth/api/login"]["post"];
    assert_eq!(login["operationId"], "signIn");
    assert!(login["responses"]["default"].is_object());
    let create = &doc["paths"]["/auth/api/account/api_keys"]["post"];
    assert_eq!(
        create["responses"]["201"]["links"]["revoke"]["operationId"], "revokeApiKey",
        "links name operations as OpenAPI spells it"
    );
    assert_eq!(
        create["security"],
        serde_json::json!([{"sessionCookie": []}, {"bearerSession": []}])
    );
    // Another mount point moves every path.
    let root: Value = serde_json::from_str(&document("")).unwrap();
    assert!(root["paths"]["/api/login"].is_object());
}

#[tokio::test]
async fn the_layer_serves_the_document_of_its_mount_point() {
    let (_, web) = site();
    let mut b = browser(&web);
    let r = b.get("/auth/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(r.body, document("/auth"));
    let r = b.api("/auth/api/openapi.json", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
}

/// The operations of features the test's site does not configure (they answer 404):
/// pictures, access tokens, sign-in by mail, passkeys, sign-up with a passkey.
const FEATURES: &[&str] = &[
    "picture",
    "uploadPicture",
    "removePicture",
    "accessToken",
    "signInEmailCode",
    "signInEmailLink",
    "signInPasskeyStart",
    "signInPasskeyFinish",
    "signInSecondFactorPasskeyStart",
    "signInSecondFactorPasskeyFinish",
    "registerPasskeyStart",
    "registerPasskeyFinish",
];

/// Every documented operation reaches a handler: asked without credentials or fields,
/// none answers the router's 404 or 405.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let (_, web) = site();
    let doc: Value = serde_json::from_str(&document("/auth")).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let concrete = path
                .replace("{name}", "example")
                .replace("{id}", "0190b3a4-0000-7000-8000-000000000000")
                .replace(
                    "{action}",
                    if id == "adminMailAction" {
                        "retry"
                    } else {
                        "disable"
                    },
                );
            let method: Method = method.to_uppercase().parse().unwrap();
            let mut b = browser(&web);
            let r = if method == Method::GET {
                b.get_json(&concrete).await
            } else {
                b.json(method.clone(), &concrete, serde_json::json!({}))
                    .await
            };
            let optional = FEATURES.contains(&id) || !op["parameters"].is_null();
            let routed = !(r.status == StatusCode::METHOD_NOT_ALLOWED
                || r.status == StatusCode::NOT_FOUND && !optional);
            if !routed {
                failures.push(format!(
                    "{method} {concrete} ({id}): {} {}",
                    r.status, r.body
                ));
            }
            assert!(
                op["responses"][r.status.as_str()].is_object()
                    || op["responses"]["default"].is_object(),
                "{method} {concrete} ({id}) answered an undocumented {}",
                r.status
            );
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "not routed:\n{}", failures.join("\n"));
    assert!(checked >= 55, "only {checked} operations documented");
}

/// The typed request bodies are what the endpoints read: a bearer sign-in sent as a
/// [`LoginRequest`] gets its token.
#[tokio::test]
async fn a_typed_login_request_signs_in_with_a_bearer_token() {
    let (auth, web) = site();
    auth_http::testkit::create_user(&auth, "ada@example.com", &[], true).await;
    let mut b = browser(&web);
    let body = LoginRequest {
        login: "ada@example.com".into(),
        password: PASSWORD.into(),
        remember: None,
        token_mode: Some(TokenMode::Bearer),
    };
    let r = b
        .api("/auth/api/login", serde_json::to_value(&body).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["token_type"], "Bearer");
    assert!(r.json()["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(
        format!("{body:?}"),
        "LoginRequest { .. }",
        "Debug shows no password"
    );
}
