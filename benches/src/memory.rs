//! Resident memory of this process or another, read from `/proc/<pid>/status` (Linux only).

use std::fs;

/// Current resident set size (`VmRSS`) in KiB, if the kernel tells.
pub fn rss_kib() -> Option<u64> {
    status_field("self", "VmRSS:")
}

/// Current resident set size (`VmRSS`) in KiB of the process `pid`, if the kernel tells
/// (the soak tool watches the demo server it started this way).
pub fn rss_kib_of(pid: u32) -> Option<u64> {
    status_field(&pid.to_string(), "VmRSS:")
}

/// Peak resident set size (`VmHWM`) in KiB since start or since [`reset_peak`].
pub fn peak_rss_kib() -> Option<u64> {
    status_field("self", "VmHWM:")
}

/// Number of threads of this process (`Threads`).
pub fn threads() -> Option<u64> {
    status_field("self", "Threads:")
}

/// Resets the peak resident set size to the current one (writes `5` to
/// `/proc/self/clear_refs`). Returns whether the kernel accepted it.
pub fn reset_peak() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A numeric field of `/proc/<process>/status` (`process` is a pid or `self`).
fn status_field(process: &str, name: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    parse_status_field(&status, name)
}

fn parse_status_field(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kib_fields_of_proc_status() {
        let status = "Name:\tx\nVmHWM:\t  123456 kB\nVmRSS:\t   2048 kB\n";
        assert_eq!(parse_status_field(status, "VmHWM:"), Some(123_456));
        assert_eq!(parse_status_field(status, "VmRSS:"), Some(2048));
        assert_eq!(parse_status_field(status, "VmSwap:"), None);
    }
}
