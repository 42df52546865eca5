//! Shared helpers of the benches and the calibration tool.
