//! In-memory implementation of every auth-core store trait.
