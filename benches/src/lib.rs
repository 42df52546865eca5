//! Shared helpers of the benches, the calibration tool, the report generator and the
//! side-by-side comparisons.
//!
//! Nothing here measures anything by itself at test time: the unit tests check the
//! arithmetic (statistics, calibration search, parsing of criterion's output, the table
//! and the plot) on made-up numbers, so they are fast and deterministic.

pub mod calibrate;
pub mod counting;
pub mod criterion_data;
pub mod engine;
pub mod grid;
pub mod memory;
pub mod report;
pub mod stats;

/// The error type of the tools: anything that can be shown to a person.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The result type of the tools.
pub type Result<T, E = BoxError> = std::result::Result<T, E>;
