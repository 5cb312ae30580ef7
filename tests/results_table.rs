//! `dynphase results`: the results table of the committed data, its agreement with `dynphase
//! scaling`, the generated blocks of README.md and paper_figures/README.md (a stale block
//! fails here), and one-line errors for bad inputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use dynphase::sweep::results::{block_of, fmt_interval, fmt_value};

mod common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `dynphase ARGS` in `dir`: (success, stdout, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_dynphase"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The markdown table row whose first two cells are `sweep` and `boundary`, as cells.
fn row(md: &str, sweep: &str, boundary: &str) -> Vec<String> {
    let head = format!("| `{sweep}` | {boundary} |");
    let line = md
        .lines()
        .find(|l| l.starts_with(&head))
        .unwrap_or_else(|| panic!("no row '{head}' in\n{md}"));
    line.trim_matches('|')
        .split(" | ")
        .map(|c| c.trim().to_string())
        .collect()
}

fn markdown() -> String {
    let (ok, out, err) = run_in(&root(), &["results", "--format", "markdown"]);
    assert!(ok, "{err}");
    out
}

#[test]
fn committed_data_give_the_quoted_exponents() {
    let md = markdown();
    let r = row(&md, "quick", "no solution (Fig 4C)");
    assert_eq!(r[2], "2.82 [2.05, 46.8]");
    assert_eq!(r[3], "−0.36 ± 0.27 (R² = 0.18) ⚠1");
    assert_eq!(r[4], "2.72 ± 0.07");
    assert_eq!(r[5], "348");
    assert_eq!(r[6], "243 (145, 98)");
    assert_eq!(r[7], "1.19");
    let r = row(&md, "quick", "slow point (Fig S3F)");
    assert_eq!(r[2], "5.31 [2.40, ∞)");
    assert!(r[3].starts_with("−0.85 ± 0.07 (R² = 0.97)"), "{r:?}");
    assert_eq!(r[4], "4.05 ± 0.10");
    let r = row(&md, "quick-post", "no solution, post period (Fig 4F)");
    assert_eq!(r[2], "1.79 [0.79, ∞)");
    assert_eq!(r[4], "2.65 ± 0.23");
    assert_eq!((r[5].as_str(), r[6].as_str()), ("118", "66 (66, 0)"));
    assert_eq!(r[7], "1.29");
    let r = row(&md, "quick-no-memory", "no memory (Fig S6C)");
    assert_eq!(r[2], "0.46 [0.05, 0.51]");
    assert_eq!(r[4], "0.38 ± 0.02");
    assert_eq!((r[5].as_str(), r[6].as_str()), ("140", "42"));
    let r = row(&md, "quick-long-tau", "no solution, long τ (Fig S5C)");
    assert_eq!(r[2], "2.16 [1.30, 4.42]");
    assert_eq!(r[4], "not published");
    assert_eq!(r[5], "100");
    // The workstation sweep has no committed phase table: computed from its records so far.
    let ws = md
        .lines()
        .find(|l| l.starts_with("| `workstation` (in progress: "))
        .unwrap_or_else(|| panic!("no workstation row in\n{md}"));
    assert!(ws.contains(" of 2,163) | no solution (Fig 4C) |"), "{ws}");
    // The two-step warnings, condensed to their first clause.
    assert!(
        md.contains(
            "- ⚠1 `quick`, no solution: 10 of 10 fitted rows have cells with fewer than 10 \
             networks (smallest 1); R² = 0.18 < 0.8\n"
        ),
        "{md}"
    );
}

#[test]
fn rows_equal_what_dynphase_scaling_prints() {
    let md = markdown();
    let cases = [
        (
            "quick",
            "no solution (Fig 4C)",
            "quick",
            "nopost",
            "failure",
        ),
        (
            "quick",
            "slow point (Fig S3F)",
            "quick",
            "nopost",
            "slow-point",
        ),
        (
            "quick-post",
            "no solution, post period (Fig 4F)",
            "quick-post",
            "post",
            "failure",
        ),
        (
            "quick-no-memory",
            "no memory (Fig S6C)",
            "quick-no-memory",
            "no-memory",
            "failure",
        ),
        (
            "quick-long-tau",
            "no solution, long τ (Fig S5C)",
            "quick-long-tau",
            "long-tau",
            "failure",
        ),
    ];
    for (sweep, boundary, file, exp, b) in cases {
        let table = root().join(format!("paper_figures/data/{file}_phase.csv"));
        let t = table.to_str().unwrap();
        let scaling = |method: &str| {
            let (ok, out, err) = common::run(&[
                "scaling",
                t,
                "--experiment",
                exp,
                "--boundary",
                b,
                "--method",
                method,
            ]);
            assert!(ok, "{err}");
            out
        };
        let r = row(&md, sweep, boundary);
        let mle = scaling("mle");
        let want = format!(
            "{} {}",
            fmt_value(common::value(&mle, "beta")),
            fmt_interval(
                common::value(&mle, "ci95_low"),
                common::value(&mle, "ci95_high")
            )
        );
        assert_eq!(r[2], want, "{sweep} {boundary}");
        let two = scaling("two-step");
        let want = format!(
            "{} ± {} (R² = {:.2})",
            fmt_value(common::value(&two, "beta")),
            fmt_value(common::value(&two, "se")),
            common::value(&two, "r2")
        );
        assert!(
            r[3].starts_with(&want),
            "{sweep} {boundary}: {} vs {want}",
            r[3]
        );
    }
}

#[test]
fn readme_blocks_are_generated_from_the_committed_data() {
    let md = markdown();
    for file in ["README.md", "paper_figures/README.md"] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let block = block_of(&text)
            .unwrap_or_else(|| panic!("{file}: no <!-- results:begin/end --> block"));
        assert!(
            block == md,
            "{file}: the results block is stale; refresh it with `cargo run --release -- \
             results --format markdown --update README.md paper_figures/README.md`\n\
             --- in {file}:\n{block}\n--- generated:\n{md}"
        );
    }
}

#[test]
fn text_table_is_aligned() {
    let (ok, out, err) = run_in(&root(), &["results"]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("sweep "), "{out}");
    assert!(lines[1].starts_with("-----"), "{out}");
    // Every column starts at the same character offset in the header and the rows.
    let col = |l: &str, pat: &str| l.find(pat).map(|b| l[..b].chars().count());
    let at = col(lines[0], "paper").unwrap();
    assert_eq!(col(lines[2], "2.72 ± 0.07"), Some(at), "{out}");
    assert!(out.contains("two-step warnings"), "{out}");
}

#[test]
fn bad_inputs_give_one_line_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let one_line_error = |args: &[&str], needle: &str| {
        let (ok, out, err) = run_in(tmp.path(), args);
        assert!(!ok, "{args:?} succeeded: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    };
    // The default data directory does not exist here.
    one_line_error(&["results"], "paper_figures/data");
    one_line_error(&["results", "--data", "nowhere"], "nowhere");
    one_line_error(&["results", "--sweeps", "nowhere"], "nowhere");
    one_line_error(&["results", "--format", "html", "--data", "."], "format");
    // A directory with no records.
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    one_line_error(&["results", "--data", "empty"], "no sweep records");
    // A phase table without records beside it.
    let d = tmp.path().join("lonely");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(
        root().join("paper_figures/data/quick_phase.csv"),
        d.join("quick_phase.csv"),
    )
    .unwrap();
    one_line_error(&["results", "--data", "lonely"], "quick_runs.jsonl.gz");
    // Corrupt gzip records.
    std::fs::write(d.join("quick_runs.jsonl.gz"), b"not gzip at all").unwrap();
    one_line_error(&["results", "--data", "lonely"], "not a gzip file");
    let mut gz =
        std::fs::read(root().join("paper_figures/data/quick-no-memory_runs.jsonl.gz")).unwrap();
    let n = gz.len();
    gz.truncate(n / 2);
    std::fs::write(d.join("quick_runs.jsonl.gz"), &gz).unwrap();
    one_line_error(&["results", "--data", "lonely"], "quick_runs.jsonl.gz");
    // --update needs markdown and files with the markers.
    std::fs::write(tmp.path().join("notes.md"), "no markers here\n").unwrap();
    let data = root().join("paper_figures/data");
    let data = data.to_str().unwrap();
    one_line_error(
        &["results", "--data", data, "--update", "notes.md"],
        "markdown",
    );
    one_line_error(
        &[
            "results", "--data", data, "--format", "markdown", "--update", "notes.md",
        ],
        "results:begin",
    );
}

#[test]
fn update_rewrites_only_the_block() {
    let tmp = tempfile::tempdir().unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let begin = readme
        .lines()
        .find(|l| l.starts_with("<!-- results:begin"))
        .unwrap();
    let f = tmp.path().join("page.md");
    std::fs::write(
        &f,
        format!("intro\n{begin}\nstale\n<!-- results:end -->\noutro\n"),
    )
    .unwrap();
    let data = root().join("paper_figures/data");
    let args = [
        "results",
        "--data",
        data.to_str().unwrap(),
        "--format",
        "markdown",
        "--update",
        f.to_str().unwrap(),
    ];
    let (ok, out, err) = common::run(&args);
    assert!(ok && out.contains("updated"), "{out}{err}");
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(
        text.starts_with(&format!("intro\n{begin}\n| sweep |")),
        "{text}"
    );
    assert!(text.ends_with("<!-- results:end -->\noutro\n"), "{text}");
    assert_eq!(block_of(&text).unwrap(), markdown());
    let (ok, out, _) = common::run(&args);
    assert!(ok && out.contains("up to date"), "{out}");
}

#[test]
fn sweep_directories_without_a_fit_still_give_a_table() {
    // A tiny fake sweep: too few rows for either fit, so both cells say why; no panic.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("test-tiny");
    let d = dir.to_str().unwrap();
    let (ok, _, err) = common::run(&[
        "sweep",
        "--preset",
        "test-tiny",
        "--executor",
        "fake",
        "--out",
        d,
        "--no-progress",
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = common::run(&["results", "--sweeps", tmp.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    let r = out
        .lines()
        .find(|l| l.starts_with("test-tiny") && l.contains("no solution (Fig 4C)"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(r.contains("fit failed ⚠1"), "{out}");
    assert!(
        out.contains("⚠1 test-tiny, no solution: likelihood fit failed: invalid table: at least 3"),
        "{out}"
    );
    assert!(r.contains("2.72 ± 0.07"), "{out}");
}
