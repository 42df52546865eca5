//! The Axum demo site (under construction).

fn main() {}
