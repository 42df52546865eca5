//! `calibrate`: the strongest Argon2id parameters that hash within a time budget on this
//! machine, found by the same search and measurement as the benches' `calibrate` tool.

use std::time::Duration;

use auth_benches::calibrate::{self, Args, measure_hasher};
use auth_benches::stats;
use demo_support::BoxError;
use serde_json::json;

use crate::Outcome;
use crate::output::Out;

pub(crate) fn run(args: &Args, json: bool) -> Result<Outcome, BoxError> {
    let out = Out::new(json);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let target = Duration::from_millis(args.target_ms);
    let choice = calibrate::search(target, args.max_memory, args.parallelism, |p| {
        let median = measure_hasher(&rt, p, args.samples)?;
        if !json {
            eprintln!(
                "  measured {:<18} {:>8.1} ms",
                p.to_phc_params(),
                stats::ms(median)
            );
        }
        Ok::<_, BoxError>(median)
    })?;
    let p = choice.params;
    let value = json!({
        "memory_kib": p.memory_kib,
        "iterations": p.iterations,
        "parallelism": p.parallelism,
        "phc_prefix": calibrate::phc_prefix(&p),
        "time_ms": stats::ms(choice.time),
        "target_ms": args.target_ms,
        "meets_target": choice.meets_target,
    });
    out.print(&value, || {
        format!(
            "{} {} takes {:.1} ms per hash here (target {} ms)\n{}",
            if choice.meets_target {
                "chosen:"
            } else {
                "TARGET MISSED: the cheapest accepted setting,"
            },
            p.to_phc_params(),
            stats::ms(choice.time),
            args.target_ms,
            calibrate::rust_snippet(&p)
        )
    });
    Ok(if choice.meets_target {
        Outcome::Done
    } else {
        Outcome::Partly
    })
}
