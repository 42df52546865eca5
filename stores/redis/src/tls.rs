//! TLS through rustls with the ring crypto provider.
//!
//! The `redis` crate builds its rustls configuration with `ClientConfig::builder()`,
//! which uses the process-level default crypto provider. rustls picks one by itself only
//! when exactly one provider feature (ring or aws-lc-rs) is enabled in the whole build;
//! an application that also depends, directly or not, on rustls with aws-lc-rs would
//! otherwise panic on the first `rediss://` connection. So before connecting over TLS
//! this crate installs ring's provider as the process default. If the application has
//! already installed a provider, that one is kept.

/// Installs ring as rustls's process-level crypto provider unless one is installed.
pub(crate) fn install_ring_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: a provider is then installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
