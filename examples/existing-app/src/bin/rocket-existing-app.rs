//! An existing Rocket application gains registration, email confirmation, sign-in,
//! password reset, account pages and an admin area: the wiring in `main` between the
//! two marked lines is all it takes.
//!
//! Accounts live in memory and mail is written as `.eml` files into `./mail` (each link
//! is logged): nothing to install, and nothing for production. There, use
//! `auth-store-sqlx` or `auth-store-redis`, `auth_smtp::SmtpMailer`, a signing key that
//! survives restarts, and HTTPS (secure cookies).
//!
//! `cargo run -p existing-app --bin rocket-existing-app`, then open
//! <http://127.0.0.1:3000/auth/register>. `ADDR` and `MAIL_DIR` change the address and
//! the mail directory.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use auth_rocket::{AdminUser, AuthFairing, CurrentUser};
use auth_rocket::{Auth, AuthWeb, Config};
use auth_smtp::FileMailer;
use auth_store_memory::MemoryStore;
use rocket::fairing::AdHoc;
use rocket::{Build, Rocket, get, routes};

/// The existing application's home page.
#[get("/")]
fn home() -> &'static str {
    "The existing application's home page."
}

/// The application as it was: one public page, served at `addr`. Rocket's `ip_header`
/// is off: the client's address is the connection's, not a header anyone can send.
fn existing_app(addr: SocketAddr) -> Rocket<Build> {
    let config = rocket::Config {
        address: addr.ip(),
        port: addr.port(),
        ip_header: None,
        ..rocket::Config::default()
    };
    rocket::custom(config).mount("/", routes![home])
}

/// A new page for signed-in users.
#[get("/dashboard")]
fn dashboard(user: CurrentUser) -> String {
    format!("Signed in as {}.", user.0.user.email)
}

/// A new page for administrators (role `admin`).
#[get("/admin")]
fn admin(_admin: AdminUser) -> &'static str {
    "Administrators only."
}

#[rocket::main]
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
    let app = existing_app(addr)
        .mount(web.mount_path(), auth_rocket::routes()) // where mailed links point
        .attach(AuthFairing::new(web)) // the web layer, and the 401/403/503 catchers
        .mount("/", routes![dashboard, admin]);
    // ---- End of the wiring. ----

    let announce = AdHoc::on_liftoff("announce", move |_| {
        Box::pin(async move { println!("listening on http://{addr}") })
    });
    let _ = app.attach(announce).launch().await?;
    Ok(())
}
