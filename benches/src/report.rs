//! Tables (Markdown) and plots (SVG) from criterion's results.
//!
//! The plot is drawn with `plotters`' SVG backend and its built-in text layout, so it
//! needs no system fonts: the SVG names a generic `sans-serif` family and the viewer
//! picks one.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use auth_core::HashParams;
use plotters::prelude::*;

use crate::criterion_data::Estimate;
use crate::grid;

/// One measured Argon2id setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The parameters.
    pub params: HashParams,
    /// Mean time per hash, milliseconds.
    pub ms: f64,
}

/// The hashing results found among criterion's results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hashing {
    /// The hash grid.
    pub hash: Vec<Point>,
    /// The verify grid.
    pub verify: Vec<Point>,
    /// OWASP's recommended settings (hash).
    pub owasp: Vec<Point>,
}

impl Hashing {
    /// Picks the Argon2id groups out of `estimates`; ids that are not parameter strings are
    /// ignored.
    pub fn from_estimates(estimates: &[Estimate]) -> Self {
        let mut out = Self::default();
        for e in estimates {
            let Some(params) = grid::parse_phc_params(&e.function) else {
                continue;
            };
            let point = Point {
                params,
                ms: e.mean_ns / 1e6,
            };
            match e.group.as_str() {
                grid::GROUP_HASH => out.hash.push(point),
                grid::GROUP_VERIFY => out.verify.push(point),
                grid::GROUP_OWASP => out.owasp.push(point),
                _ => {}
            }
        }
        for v in [&mut out.hash, &mut out.verify, &mut out.owasp] {
            v.sort_by_key(|p| {
                (
                    p.params.parallelism,
                    p.params.memory_kib,
                    p.params.iterations,
                )
            });
        }
        out
    }
}

/// A Markdown table of `points` with `lanes` lanes: one row per memory size, one column
/// per pass count. `†` marks settings below the library's floor (refused unless
/// `insecure`), `★` OWASP's recommended settings.
pub fn grid_table(points: &[Point], lanes: u32) -> String {
    let mut by_m: BTreeMap<u32, BTreeMap<u32, Point>> = BTreeMap::new();
    let mut passes: Vec<u32> = Vec::new();
    for p in points.iter().filter(|p| p.params.parallelism == lanes) {
        by_m.entry(p.params.memory_kib)
            .or_default()
            .insert(p.params.iterations, *p);
        if !passes.contains(&p.params.iterations) {
            passes.push(p.params.iterations);
        }
    }
    passes.sort_unstable();
    let mut s = String::from("| memory |");
    for t in &passes {
        let _ = write!(s, " t={t} |");
    }
    s.push_str("\n|---:|");
    for _ in &passes {
        s.push_str("---:|");
    }
    s.push('\n');
    for (m, row) in &by_m {
        let _ = write!(s, "| {} |", mib_label(*m));
        for t in &passes {
            match row.get(t) {
                Some(p) => {
                    let mark = if grid::is_owasp(&p.params) {
                        " ★"
                    } else if !grid::accepted_by_default(&p.params) {
                        " †"
                    } else {
                        ""
                    };
                    let _ = write!(s, " {}{mark} |", fmt_ms(p.ms));
                }
                None => s.push_str(" – |"),
            }
        }
        s.push('\n');
    }
    s
}

/// A Markdown table of OWASP's recommended settings with their measured times.
pub fn owasp_table(points: &[Point]) -> String {
    let mut s =
        String::from("| OWASP setting | hash time | hashes/s on one core |\n|---|---:|---:|\n");
    for p in points {
        let per_s = if p.ms > 0.0 { 1e3 / p.ms } else { f64::NAN };
        let _ = writeln!(
            s,
            "| `{}` ({}) | {} | {per_s:.1} |",
            p.params.to_phc_params(),
            mib_label(p.params.memory_kib),
            fmt_ms(p.ms)
        );
    }
    s
}

/// A Markdown table of every result in `groups` (ids as criterion prints them), with the
/// mean, its 95 % interval and the rate it implies.
pub fn estimates_table(estimates: &[Estimate], groups: &[&str]) -> String {
    let mut s = String::from(
        "| benchmark | mean | 95 % CI | per second (one core) |\n|---|---:|---:|---:|\n",
    );
    for e in estimates
        .iter()
        .filter(|e| groups.contains(&e.group.as_str()))
    {
        let per_s = if e.mean_ns > 0.0 {
            1e9 / e.mean_ns
        } else {
            f64::NAN
        };
        let _ = writeln!(
            s,
            "| `{}` | {} | {} – {} | {} |",
            e.id(),
            fmt_ns(e.mean_ns),
            fmt_ns(e.mean_ci_ns.0),
            fmt_ns(e.mean_ci_ns.1),
            fmt_rate(per_s)
        );
    }
    s
}

/// Criterion's group of the in-process route bench (`routes/<framework>/<auth|no_auth>`).
pub const ROUTES_GROUP: &str = "routes";

/// The per-request cost of authentication through each framework adapter, from the
/// `routes` bench: the mean time of the same route with and without auth, the
/// difference, and auth ÷ no-auth as throughput (no-auth time ÷ auth time, the figure the
/// ≥ 0.90 target is about). Frameworks missing either side are left out.
pub fn route_cost_table(estimates: &[Estimate]) -> String {
    let mut s = String::from(
        "| framework | with auth | without auth | auth adds | auth ÷ no-auth (throughput) |\n\
         |---|---:|---:|---:|---:|\n",
    );
    let find = |framework: &str, side: &str| {
        estimates
            .iter()
            .find(|e| e.group == ROUTES_GROUP && e.function == framework && e.value == side)
            .map(|e| e.mean_ns)
    };
    let mut frameworks: Vec<&str> = Vec::new();
    for e in estimates.iter().filter(|e| e.group == ROUTES_GROUP) {
        if !frameworks.contains(&e.function.as_str()) {
            frameworks.push(&e.function);
        }
    }
    for framework in frameworks {
        let (Some(auth), Some(none)) = (find(framework, "auth"), find(framework, "no_auth")) else {
            continue;
        };
        let _ = writeln!(
            s,
            "| {framework} | {} | {} | {} | {:.3} |",
            fmt_ns(auth),
            fmt_ns(none),
            fmt_ns(auth - none),
            none / auth
        );
    }
    s
}

/// Draws hash time against memory, one line per pass count, for `lanes` lanes, with
/// OWASP's settings marked. Returns the SVG document.
///
/// # Errors
/// When there is nothing to draw, or plotters fails.
pub fn plot_svg(
    points: &[Point],
    owasp: &[Point],
    lanes: u32,
    title: &str,
) -> crate::Result<String> {
    let pts: Vec<&Point> = points
        .iter()
        .filter(|p| p.params.parallelism == lanes)
        .collect();
    if pts.is_empty() {
        return Err(format!("no results with p={lanes} to plot").into());
    }
    let owasp: Vec<&Point> = owasp
        .iter()
        .filter(|p| p.params.parallelism == lanes)
        .collect();
    let max_mib = pts
        .iter()
        .chain(owasp.iter())
        .map(|p| f64::from(p.params.memory_kib) / 1024.0)
        .fold(0.0, f64::max);
    let max_ms = pts
        .iter()
        .chain(owasp.iter())
        .map(|p| p.ms)
        .fold(0.0, f64::max);
    let mut passes: Vec<u32> = pts.iter().map(|p| p.params.iterations).collect();
    passes.sort_unstable();
    passes.dedup();

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..(max_mib * 1.05), 0.0..(max_ms * 1.08))
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc("memory (MiB)")
            .y_desc("time per hash (ms)")
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        let colors = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];
        for (i, t) in passes.iter().enumerate() {
            let color = colors[i % colors.len()];
            let line: Vec<(f64, f64)> = pts
                .iter()
                .filter(|p| p.params.iterations == *t)
                .map(|p| (f64::from(p.params.memory_kib) / 1024.0, p.ms))
                .collect();
            chart
                .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))
                .map_err(plot_err)?
                .label(format!("t={t}"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            chart
                .draw_series(
                    line.iter()
                        .map(|&(x, y)| Circle::new((x, y), 3, color.filled())),
                )
                .map_err(plot_err)?;
        }
        if !owasp.is_empty() {
            let marks: Vec<(f64, f64, String)> = owasp
                .iter()
                .map(|p| {
                    (
                        f64::from(p.params.memory_kib) / 1024.0,
                        p.ms,
                        format!(
                            "t={} {}",
                            p.params.iterations,
                            mib_label(p.params.memory_kib)
                        ),
                    )
                })
                .collect();
            chart
                .draw_series(
                    marks
                        .iter()
                        .map(|(x, y, _)| TriangleMarker::new((*x, *y), 8, BLACK.filled())),
                )
                .map_err(plot_err)?
                .label("OWASP recommended")
                .legend(|(x, y)| TriangleMarker::new((x + 10, y), 6, BLACK.filled()));
            chart
                .draw_series(marks.iter().enumerate().map(|(i, (x, y, label))| {
                    // Stagger the labels upwards, the smallest memory highest, so that the
                    // OWASP points, which crowd together at small memory, stay readable.
                    let rank = i32::try_from(marks.len() - i).unwrap_or(1);
                    let dy = -4 - 14 * (rank - 1);
                    EmptyElement::at((*x, *y))
                        + Text::new(label.clone(), (6, dy), ("sans-serif", 12).into_font())
                }))
                .map_err(plot_err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

fn plot_err<E: std::fmt::Debug>(e: E) -> crate::BoxError {
    format!("plotting failed: {e:?}").into()
}

/// `19 MiB`, or `19456 KiB` when not a whole number of MiB.
pub fn mib_label(kib: u32) -> String {
    if kib.is_multiple_of(1024) {
        format!("{} MiB", kib / 1024)
    } else {
        format!("{kib} KiB")
    }
}

/// Milliseconds with three significant-ish digits.
pub fn fmt_ms(ms: f64) -> String {
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// Nanoseconds in the most readable unit.
pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        fmt_ms(ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn fmt_rate(per_s: f64) -> String {
    if !per_s.is_finite() {
        "–".into()
    } else if per_s >= 1e6 {
        format!("{:.2} M", per_s / 1e6)
    } else if per_s >= 1e3 {
        format!("{:.1} k", per_s / 1e3)
    } else {
        format!("{per_s:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(m: u32, t: u32, p: u32, ms: f64) -> Point {
        Point {
            params: grid::params(m, t, p),
            ms,
        }
    }

    fn sample() -> Vec<Point> {
        let mut v = Vec::new();
        for m in [8 * 1024, 19 * 1024] {
            for t in [1, 2] {
                v.push(pt(m, t, 1, f64::from(m) / 1024.0 * f64::from(t)));
            }
        }
        v
    }

    fn estimate(group: &str, function: &str, mean_ns: f64) -> Estimate {
        Estimate {
            group: group.into(),
            function: function.into(),
            value: String::new(),
            mean_ns,
            mean_ci_ns: (mean_ns * 0.9, mean_ns * 1.1),
            median_ns: mean_ns,
        }
    }

    #[test]
    fn grid_table_has_a_row_per_memory_and_marks_floor_and_owasp() {
        let points = sample();
        let table = grid_table(&points, 1);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "| memory | t=1 | t=2 |");
        assert_eq!(lines.len(), 2 + 2, "{table}");
        // 8 MiB × 1 or 2 passes and 19 MiB × 1 pass are below the floor; 19 MiB × 2
        // passes is OWASP's default.
        assert_eq!(lines[2], "| 8 MiB | 8.00 ms † | 16.0 ms † |");
        assert_eq!(lines[3], "| 19 MiB | 19.0 ms † | 38.0 ms ★ |");
        assert_eq!(grid_table(&points, 2).lines().count(), 2);
    }

    #[test]
    fn hashing_results_are_picked_out_of_criterion_ids() {
        let estimates = vec![
            estimate(grid::GROUP_HASH, "m=8192,t=1,p=1", 8e6),
            estimate(grid::GROUP_VERIFY, "m=8192,t=1,p=1", 9e6),
            estimate(grid::GROUP_OWASP, "m=19456,t=2,p=1", 30e6),
            estimate("tokens", "issue/verify_email", 5e3),
        ];
        let h = Hashing::from_estimates(&estimates);
        assert_eq!((h.hash.len(), h.verify.len(), h.owasp.len()), (1, 1, 1));
        assert!((h.verify[0].ms - 9.0).abs() < 1e-9);
        let t = estimates_table(&estimates, &["tokens"]);
        assert!(
            t.contains("| `tokens/issue/verify_email` | 5.00 µs | 4.50 µs – 5.50 µs | 200.0 k |"),
            "{t}"
        );
        assert_eq!(t.lines().count(), 3);
    }

    #[test]
    fn the_plot_is_an_svg_with_a_line_per_pass_count_and_owasp_marks() {
        let owasp = vec![pt(19_456, 2, 1, 30.0), pt(47_104, 1, 1, 40.0)];
        let svg = plot_svg(&sample(), &owasp, 1, "Argon2id hash time").unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("t=1") && svg.contains("t=2"));
        assert!(svg.contains("OWASP recommended"));
        assert!(svg.contains("t=2 19 MiB") && svg.contains("t=1 46 MiB"));
        // One line per pass count plus its legend mark; two points per line.
        assert_eq!(
            svg.matches(r##"stroke="#0000FF" stroke-width="2""##)
                .count(),
            2
        );
        assert_eq!(
            svg.matches(r##"stroke="#FF0000" stroke-width="2""##)
                .count(),
            2
        );
        assert_eq!(svg.matches(r##"<circle"##).count(), 4);
        // Two OWASP triangles plus the legend's.
        assert_eq!(svg.matches("<polygon").count(), 3);
        assert!(plot_svg(&sample(), &owasp, 2, "none").is_err());
    }

    #[test]
    fn route_cost_table_pairs_auth_with_no_auth_per_framework() {
        let mut estimates = Vec::new();
        for (framework, auth, none) in [("axum", 4000.0, 3000.0), ("poem", 5000.0, 4000.0)] {
            for (side, ns) in [("auth", auth), ("no_auth", none)] {
                estimates.push(Estimate {
                    value: side.into(),
                    ..estimate(ROUTES_GROUP, framework, ns)
                });
            }
        }
        // Rocket without its no-auth side is left out.
        estimates.push(Estimate {
            value: "auth".into(),
            ..estimate(ROUTES_GROUP, "rocket", 9000.0)
        });
        let table = route_cost_table(&estimates);
        assert!(
            table.contains("| axum | 4.00 µs | 3.00 µs | 1.00 µs | 0.750 |"),
            "{table}"
        );
        assert!(
            table.contains("| poem | 5.00 µs | 4.00 µs | 1.00 µs | 0.800 |"),
            "{table}"
        );
        assert!(!table.contains("rocket"), "{table}");
    }

    #[test]
    fn numbers_are_formatted_for_people() {
        assert_eq!(fmt_ms(123.4), "123 ms");
        assert_eq!(fmt_ms(12.34), "12.3 ms");
        assert_eq!(fmt_ns(850.0), "850 ns");
        assert_eq!(fmt_ns(1_500.0), "1.50 µs");
        assert_eq!(mib_label(19_456), "19 MiB");
        assert_eq!(mib_label(47_104), "46 MiB");
        assert_eq!(mib_label(1000), "1000 KiB");
    }
}
