//! Reading criterion's results (`<target>/criterion/**/new/{benchmark,estimates}.json`).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// One benchmark's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Criterion group id.
    pub group: String,
    /// Function id within the group (may be empty).
    pub function: String,
    /// Parameter string (may be empty).
    pub value: String,
    /// Mean time per iteration, nanoseconds.
    pub mean_ns: f64,
    /// 95 % confidence interval of the mean, nanoseconds.
    pub mean_ci_ns: (f64, f64),
    /// Median time per iteration, nanoseconds.
    pub median_ns: f64,
}

impl Estimate {
    /// `group/function/value` with the empty parts left out, as criterion prints it.
    pub fn id(&self) -> String {
        [&self.group, &self.function, &self.value]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Where criterion writes: `$CARGO_TARGET_DIR/criterion`, else `target/criterion`.
pub fn default_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join("criterion")
}

/// Every result under `dir`, sorted by id.
///
/// # Errors
/// I/O errors other than a missing directory, and malformed JSON.
pub fn load(dir: &Path) -> crate::Result<Vec<Estimate>> {
    let mut out = Vec::new();
    visit(dir, &mut out)?;
    out.sort_by_key(Estimate::id);
    Ok(out)
}

fn visit(dir: &Path, out: &mut Vec<Estimate>) -> crate::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            let bench = path.join("benchmark.json");
            let estimates = path.join("estimates.json");
            if bench.is_file() && estimates.is_file() {
                let parsed = parse(
                    &fs::read_to_string(&bench)?,
                    &fs::read_to_string(&estimates)?,
                )
                .map_err(|e| format!("{}: {e}", path.display()))?;
                out.push(parsed);
            }
        } else if path
            .file_name()
            .is_none_or(|n| n != "base" && n != "report")
        {
            visit(&path, out)?;
        }
    }
    Ok(())
}

/// Parses one pair of `benchmark.json` and `estimates.json`.
///
/// # Errors
/// Malformed JSON or missing fields.
pub fn parse(benchmark_json: &str, estimates_json: &str) -> crate::Result<Estimate> {
    let b: Value = serde_json::from_str(benchmark_json)?;
    let e: Value = serde_json::from_str(estimates_json)?;
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
    let num = |path: &[&str]| -> crate::Result<f64> {
        let mut v = &e;
        for key in path {
            v = v
                .get(*key)
                .ok_or_else(|| format!("estimates.json has no {path:?}"))?;
        }
        v.as_f64()
            .ok_or_else(|| format!("{path:?} is not a number").into())
    };
    let group = text(&b, "group_id");
    if group.is_empty() {
        return Err("benchmark.json has no group_id".into());
    }
    Ok(Estimate {
        group,
        function: text(&b, "function_id"),
        value: text(&b, "value_str"),
        mean_ns: num(&["mean", "point_estimate"])?,
        mean_ci_ns: (
            num(&["mean", "confidence_interval", "lower_bound"])?,
            num(&["mean", "confidence_interval", "upper_bound"])?,
        ),
        median_ns: num(&["median", "point_estimate"])?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const BENCH: &str = r#"{"group_id":"argon2id_hash","function_id":"m=19456,t=2,p=1","value_str":null,"throughput":null,"full_id":"argon2id_hash/m=19456,t=2,p=1","directory_name":"argon2id_hash/m=19456,t=2,p=1","title":"argon2id_hash/m=19456,t=2,p=1"}"#;
    pub(crate) const EST: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":2.9e7,"upper_bound":3.1e7},"point_estimate":3.0e7,"standard_error":1.0e5},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":2.9e7,"upper_bound":3.1e7},"point_estimate":2.95e7,"standard_error":1.0e5},"median_abs_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1},"slope":null,"std_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1}}"#;

    #[test]
    fn parses_criterion_files() {
        let e = parse(BENCH, EST).unwrap();
        assert_eq!(e.id(), "argon2id_hash/m=19456,t=2,p=1");
        assert_eq!(e.value, "");
        assert!((e.mean_ns - 3.0e7).abs() < 1.0);
        assert!((e.median_ns - 2.95e7).abs() < 1.0);
        assert_eq!(e.mean_ci_ns, (2.9e7, 3.1e7));
        assert!(parse("{}", EST).is_err());
        assert!(parse(BENCH, r#"{"mean":{}}"#).is_err());
    }

    #[test]
    fn loads_a_directory_tree_and_skips_base() {
        let root = std::env::temp_dir().join(format!("auth-benches-test-{}", std::process::id()));
        let new = root
            .join("argon2id_hash")
            .join("m=19456,t=2,p=1")
            .join("new");
        let base = root
            .join("argon2id_hash")
            .join("m=19456,t=2,p=1")
            .join("base");
        for d in [&new, &base] {
            fs::create_dir_all(d).unwrap();
            fs::write(d.join("benchmark.json"), BENCH).unwrap();
            fs::write(d.join("estimates.json"), EST).unwrap();
        }
        let all = load(&root).unwrap();
        fs::remove_dir_all(&root).unwrap();
        assert_eq!(all.len(), 1);
        assert!(load(&root.join("missing")).unwrap().is_empty());
    }
}
