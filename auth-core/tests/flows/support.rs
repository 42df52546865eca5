//! The flows' setup: the conformance kit's engine harness over a fresh memory store.

use std::sync::Arc;

use auth_core::ConfigBuilder;
use auth_core::conformance::engine::Engine;
pub(crate) use auth_core::conformance::engine::{NEW_PASSWORD, PASSWORD, config, request as ctx};
use auth_store_memory::MemoryStore;

/// An engine over a memory store that the test can reach.
pub(crate) type Harness = Engine<Arc<MemoryStore>>;

/// An engine with the test configuration over a fresh memory store.
pub(crate) fn harness() -> Harness {
    Harness::on(Arc::new(MemoryStore::new()))
}

/// As [`harness`], with the configuration changed by `configure`.
pub(crate) fn harness_with(configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Harness {
    Harness::on_with(Arc::new(MemoryStore::new()), configure)
}
