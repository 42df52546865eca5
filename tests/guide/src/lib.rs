//! The guide, doc-tested.
//!
//! Every page of the guide (`docs/*.md`, an mdBook), the repository's `README.md` and
//! `CHANGELOG.md`, and the examples' READMEs are included here as the documentation of
//! an empty module, so that `cargo test --doc` compiles every Rust block of them against
//! the crates as they are, and runs it unless it is marked `no_run` (a block that would
//! start a server or needs one running). A block
//! that is not Rust names its language (`text`, `sh`, `toml`, `sql`, ...); `ignore` is
//! never used. Lines starting with `# ` are hidden, by rustdoc and by mdBook alike: they
//! hold the set-up a reader does not need to see.
//!
//! The pages are included only when doc tests are collected (`cfg(doctest)`), so they
//! are not rendered here: the guide is read as a book (`mdbook build docs`). The tests
//! of this crate check that every page of `docs/` is listed below and that no block is
//! skipped.
//!
//! Each crate's own `README.md` is doc-tested by that crate.

/// Includes each page as the documentation of a module (only for doc tests) and lists
/// them in [`PAGES`].
macro_rules! guide {
    ($($module:ident: $path:literal,)*) => {
        /// Every file doc-tested here, relative to the repository's root.
        pub const PAGES: &[&str] = &[$($path),*];

        $(
            #[cfg(doctest)]
            #[doc = include_str!(concat!("../../../", $path))]
            pub mod $module {}
        )*
    };
}

guide! {
    readme: "README.md",
    changelog: "CHANGELOG.md",
    introduction: "docs/introduction.md",
    getting_started: "docs/getting-started.md",
    core: "docs/core.md",
    configuration: "docs/configuration.md",
    hooks: "docs/hooks.md",
    security: "docs/security.md",
    breached_passwords: "docs/breached-passwords.md",
    second_factor: "docs/second-factor.md",
    email_codes: "docs/email-codes.md",
    passkeys: "docs/passkeys.md",
    social_sign_in: "docs/social-sign-in.md",
    design_decisions: "docs/design-decisions.md",
    profile: "docs/profile.md",
    web: "docs/web.md",
    languages: "docs/languages.md",
    frameworks: "docs/frameworks.md",
    programs: "docs/programs.md",
    mail: "docs/mail.md",
    webhooks: "docs/webhooks.md",
    schema: "docs/schema.md",
    redis_store: "docs/redis-store.md",
    custom_store: "docs/custom-store.md",
    testing: "docs/testing.md",
    metrics: "docs/metrics.md",
    operations: "docs/operations.md",
    benchmarks: "docs/benchmarks.md",
    benchmarks_stores: "docs/benchmarks-stores.md",
    axum_demo: "examples/axum-demo/README.md",
    poem_demo: "examples/poem-demo/README.md",
    rocket_demo: "examples/rocket-demo/README.md",
    existing_app: "examples/existing-app/README.md",
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::PAGES;

    fn root() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
    }

    /// A page added to the guide is doc-tested too.
    #[test]
    fn every_page_of_the_guide_is_included() {
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(root().join("docs")).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let path = format!("docs/{name}");
            if name.ends_with(".md") && name != "SUMMARY.md" && !PAGES.contains(&path.as_str()) {
                missing.push(path);
            }
        }
        assert!(
            missing.is_empty(),
            "add these pages to `guide!` in tests/guide/src/lib.rs: {missing:?}"
        );
    }

    /// The info string of every fenced block, with the page and line it is on.
    fn fences() -> Vec<(String, usize, String)> {
        let mut out = Vec::new();
        for page in PAGES {
            let text = std::fs::read_to_string(root().join(page)).unwrap();
            let mut open: Option<String> = None;
            for (n, line) in text.lines().enumerate() {
                let trimmed = line.trim_start();
                let Some(info) = trimmed.strip_prefix("```") else {
                    continue;
                };
                match &open {
                    Some(fence)
                        if trimmed.starts_with(fence.as_str()) && info.trim().is_empty() =>
                    {
                        open = None;
                    }
                    Some(_) => {}
                    None => {
                        open = Some("```".to_owned());
                        out.push(((*page).to_owned(), n + 1, info.trim().to_owned()));
                    }
                }
            }
        }
        out
    }

    /// Every block is either tested or says which language it is in; none is skipped.
    #[test]
    fn no_block_is_skipped_or_unlabelled() {
        let fences = fences();
        assert!(
            fences.iter().any(|(_, _, info)| info.starts_with("rust")),
            "found no Rust block at all"
        );
        let bad: Vec<String> = fences
            .iter()
            .filter(|(_, _, info)| info.is_empty() || info.split(',').any(|a| a.trim() == "ignore"))
            .map(|(page, line, info)| format!("{page}:{line}: ```{info}"))
            .collect();
        assert!(
            bad.is_empty(),
            "label these blocks with their language, never `ignore`: {bad:#?}"
        );
    }

    /// The Grafana dashboard of docs/metrics.md queries only metrics the engine reports,
    /// and shows every one of them.
    #[test]
    fn the_dashboard_shows_exactly_the_engine_metrics() {
        use auth_core::telemetry::{
            BREACH_CHECKS, HASH_QUEUE_SECONDS, HASH_SECONDS, LOCKOUTS, MAIL_DELIVERED,
            MAIL_FAILURES, OUTBOX_DEPTH, RATE_LIMITED, SIGN_INS, STORE_SECONDS,
        };
        let known = [
            BREACH_CHECKS,
            SIGN_INS,
            LOCKOUTS,
            RATE_LIMITED,
            HASH_SECONDS,
            HASH_QUEUE_SECONDS,
            STORE_SECONDS,
            OUTBOX_DEPTH,
            MAIL_DELIVERED,
            MAIL_FAILURES,
        ];
        let dashboard =
            std::fs::read_to_string(root().join("docs/grafana-dashboard.json")).unwrap();
        let queried: Vec<&str> = dashboard
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|word| word.starts_with("auth_"))
            .map(|word| {
                ["_bucket", "_count", "_sum"]
                    .iter()
                    .find_map(|suffix| word.strip_suffix(suffix))
                    .unwrap_or(word)
            })
            .collect();
        let unknown: Vec<&&str> = queried.iter().filter(|m| !known.contains(m)).collect();
        assert!(
            unknown.is_empty(),
            "not reported by the engine: {unknown:?}"
        );
        let unshown: Vec<&&str> = known.iter().filter(|m| !queried.contains(m)).collect();
        assert!(unshown.is_empty(), "not on the dashboard: {unshown:?}");
    }
}
