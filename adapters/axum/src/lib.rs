//! Axum binding of the auth toolkit's web layer.
