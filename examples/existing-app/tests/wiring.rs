//! Each example keeps its promise: the auth wiring, between the marked lines of `main`,
//! stays under 30 lines.

const EXAMPLES: [(&str, &str); 3] = [
    ("axum", include_str!("../src/bin/axum-existing-app.rs")),
    ("poem", include_str!("../src/bin/poem-existing-app.rs")),
    ("rocket", include_str!("../src/bin/rocket-existing-app.rs")),
];

#[test]
fn every_example_wires_the_flows_in_under_30_lines() {
    for (framework, source) in EXAMPLES {
        let lines: Vec<&str> = source.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.contains("// ---- The wiring"))
            .unwrap_or_else(|| panic!("{framework}: no start marker"));
        let end = lines
            .iter()
            .position(|l| l.contains("// ---- End of the wiring"))
            .unwrap_or_else(|| panic!("{framework}: no end marker"));
        let wiring = end - start - 1;
        assert!(
            (10..30).contains(&wiring),
            "{framework}: {wiring} lines of wiring"
        );
    }
}
