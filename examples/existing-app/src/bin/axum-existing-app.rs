//! An existing Axum application gains registration, email confirmation, sign-in,
//! password reset, account pages and an admin area: the wiring in `main` between the
//! two marked lines is all it takes.
//!
//! Accounts live in memory and mail is written as `.eml` files into `./mail` (each link
//! is logged): nothing to install, and nothing for production. There, use
//! `auth-store-sqlx` or `auth-store-redis`, `auth_smtp::SmtpMailer`, a signing key that
//! survives restarts, and HTTPS (secure cookies).
//!
//! `cargo run -p existing-app --bin axum-existing-app`, then open
//! <http://127.0.0.1:3000/auth/register>. `ADDR` and `MAIL_DIR` change the address and
//! the mail directory.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use auth_axum::{Auth, AuthLayer, AuthWeb, Config, CurrentUser, RequireLogin};
use auth_smtp::FileMailer;
use auth_store_memory::MemoryStore;
use axum::{Router, routing::get};

/// The application as it was: one public page.
fn existing_app() -> Router {
    Router::new().route(
        "/",
        get(|| async { "The existing application's home page." }),
    )
}

/// A new page for signed-in users.
async fn dashboard(CurrentUser(me): CurrentUser) -> String {
    format!("Signed in as {}.", me.user.email)
}

/// A new page for administrators (role `admin`).
async fn admin() -> &'static str {
    "Administrators only."
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::var("ADDR")
        .unwrap_or("127.0.0.1:3000".into())
        .parse()?;
    let mail_dir = std::env::var("MAIL_DIR").unwrap_or("mail".into());

    // ---- The wiring: engine, web layer, routes. ----
    let mut signing_key = [0; 32];
    getrandom::fill(&mut signing_key)?; // a new one per start: links die with the process
    let config = Config::builder()
        .app_name("Existing app")
        .base_url(format!("http://{addr}")) // mailed links point here, under /auth
        .signing_key("k1", signing_key.to_vec())
        .build()?;
    let auth = Auth::builder(config)
        .store(Arc::new(MemoryStore::new()))
        .mailer(Arc::new(FileMailer::new(mail_dir)?))
        .build()?;
    let _maintenance = auth.spawn_maintenance(Duration::from_secs(60));
    // Plain HTTP on a development machine; never in production.
    let web = AuthWeb::builder(auth).insecure_dev_cookies(true).build()?;
    let app = existing_app()
        .route("/dashboard", get(dashboard))
        .route(
            "/admin",
            get(admin).route_layer(RequireLogin::role("admin")),
        )
        .nest(web.mount_path(), auth_axum::router(web.clone()))
        .layer(AuthLayer::new(web));
    // Connect info: rate limits and the device list see the client's address.
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    // ---- End of the wiring. ----

    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{addr}");
    axum::serve(listener, app).await?;
    Ok(())
}
