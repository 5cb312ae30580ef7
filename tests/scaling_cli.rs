//! `dynphase scaling` end to end on phase tables built from known boundaries.

mod common;
use common::{run, value};

use std::path::Path;
use std::process::Command;

use dynphase::fit::{exp_saturation, logistic, transposed_logistic, PhaseCell, PhaseTable};
use dynphase::grid::logspace;

const N: u64 = 10_000;

/// Expected counts (rounded, N networks per cell) of a table whose no-solution boundary is
/// T_c = 40 (lr / 0.1)^(-1/beta) ms with saturation rate 0.03/ms and whose slow-point fraction
/// is a logistic of the delay with T_sp = 25 (lr / 0.1)^(-1/beta_sp) ms, k = -0.08/ms.
/// The optional `outlier` lr gets T_c = 10 ms.
fn onset_table(beta: f64, beta_sp: f64, outlier: Option<f64>) -> PhaseTable {
    let mut cells = Vec::new();
    for lr in logspace(-1.0, -3.0, 15) {
        let mut tc = 40.0 * (lr / 0.1).powf(-1.0 / beta);
        if outlier.is_some_and(|o| (o - lr).abs() < 1e-6) {
            tc = 10.0;
        }
        let tsp = 25.0 * (lr / 0.1).powf(-1.0 / beta_sp);
        for i in 0..21 {
            let t = 20.0 * i as f64;
            let nl = (N as f64 * exp_saturation(t, tc, 0.03)).round() as u64;
            let sp = ((N - nl) as f64 * logistic(t, tsp, -0.08)).round() as u64;
            cells.push(PhaseCell {
                lr,
                delay_ms: t,
                n: N,
                not_learned: nl,
                limit_cycle: Some(N - nl - sp),
                slow_point: Some(sp),
            });
        }
    }
    PhaseTable { cells }
}

fn write(t: &PhaseTable, dir: &Path, name: &str) -> String {
    let p = dir.join(name);
    t.write_csv(&p).unwrap();
    p.display().to_string()
}

#[test]
fn nopost_boundaries_recover_their_exponents() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&onset_table(2.72, 4.05, None), dir.path(), "nopost.csv");
    let (ok, out, err) = run(&[
        "scaling",
        &p,
        "--experiment",
        "nopost",
        "--boundary",
        "failure",
    ]);
    assert!(ok, "{err}");
    println!("{out}");
    assert!((value(&out, "beta") - 2.72).abs() < 0.03, "{out}");
    assert!(value(&out, "r2") > 0.999 && value(&out, "p") < 1e-3);
    assert_eq!(value(&out, "n_points"), 15.0);
    assert!(value(&out, "ci95_low") < value(&out, "ci95_high"));
    let (ok, out, err) = run(&[
        "scaling",
        &p,
        "--experiment",
        "nopost",
        "--boundary",
        "slow-point",
    ]);
    assert!(ok, "{err}");
    println!("{out}");
    assert!((value(&out, "beta") - 4.05).abs() < 0.05, "{out}");
    let (ok, out, err) = run(&[
        "scaling",
        &p,
        "--experiment",
        "nopost",
        "--boundary",
        "slow-point",
        "--method",
        "mle",
    ]);
    assert!(ok, "{err}");
    println!("{out}");
    assert!((value(&out, "beta") - 4.05).abs() < 0.1, "{out}");
    // --top-lrs keeps only the K largest rates.
    let (ok, out, _) = run(&[
        "scaling",
        &p,
        "--experiment",
        "nopost",
        "--boundary",
        "slow-point",
        "--top-lrs",
        "8",
    ]);
    assert!(ok);
    assert_eq!(value(&out, "n_points"), 8.0);
    // --verbose lists every row.
    let (ok, out, _) = run(&["scaling", &p, "--experiment", "nopost", "--verbose"]);
    assert!(ok);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("row: lr=")).count(),
        15
    );
}

#[test]
fn post_default_excludes_row_one() {
    let dir = tempfile::tempdir().unwrap();
    let t = onset_table(2.65, 4.0, Some(0.0719686));
    let p = write(&t, dir.path(), "post.csv");
    let (ok, out, err) = run(&[
        "scaling",
        &p,
        "--experiment",
        "post",
        "--boundary",
        "failure",
    ]);
    assert!(ok, "{err}");
    assert_eq!(value(&out, "n_points"), 14.0);
    assert!((value(&out, "beta") - 2.65).abs() < 0.03, "{out}");
    let (ok, out2, _) = run(&["scaling", &p, "--experiment", "post", "--no-exclude"]);
    assert!(ok);
    assert_eq!(value(&out2, "n_points"), 15.0);
    assert!((value(&out2, "beta") - 2.65).abs() > 0.05, "{out2}");
    // An explicit exclusion and p0 override.
    let (ok, out3, _) = run(&[
        "scaling",
        &p,
        "--experiment",
        "nopost",
        "--exclude-lr",
        "0.0719686",
        "--p0",
        "0.5,0.1",
        "--min-peak",
        "0.2",
    ]);
    assert!(ok);
    assert_eq!(value(&out3, "beta"), value(&out, "beta"));
}

#[test]
fn no_memory_transposed_fit_recovers_exponent() {
    // eta_c(T) = 0.05 (T / 20)^(-0.38); not-learned fraction 1/(1 + exp(-6 (ln eta - ln eta_c))).
    let mut cells = Vec::new();
    for lr in logspace(0.0, -3.0, 20) {
        for i in 1..=20 {
            let w = 20.0 * i as f64;
            let x0 = (0.05 * (w / 20.0f64).powf(-0.38)).ln();
            let nl = (N as f64 * transposed_logistic(lr.ln(), x0, -6.0)).round() as u64;
            cells.push(PhaseCell {
                lr,
                delay_ms: w,
                n: N,
                not_learned: nl,
                limit_cycle: None,
                slow_point: None,
            });
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(&PhaseTable { cells }, dir.path(), "nm.csv");
    let (ok, out, err) = run(&["scaling", &p, "--experiment", "no-memory"]);
    assert!(ok, "{err}");
    assert!((value(&out, "beta") - 0.38).abs() < 0.01, "{out}");
    assert_eq!(value(&out, "n_points"), 20.0);
    let (ok, out, err) = run(&[
        "scaling",
        &p,
        "--experiment",
        "no-memory",
        "--method",
        "mle",
    ]);
    assert!(ok, "{err}");
    assert!((value(&out, "beta") - 0.38).abs() < 0.01, "{out}");
}

#[test]
fn mle_and_bootstrap_paths() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&onset_table(2.72, 4.05, None), dir.path(), "t.csv");
    let (ok, out, err) = run(&["scaling", &p, "--experiment", "nopost", "--method", "mle"]);
    assert!(ok, "{err}");
    println!("{out}");
    let b = value(&out, "beta");
    assert!((b - 2.72).abs() < 0.05, "{out}");
    assert!(value(&out, "ci95_low") <= b && b <= value(&out, "ci95_high"));
    assert!(value(&out, "p") < 1e-3);
    let args = [
        "scaling",
        &p,
        "--experiment",
        "nopost",
        "--bootstrap",
        "20",
        "--seed",
        "3",
    ];
    let (ok, out1, err) = run(&args);
    assert!(ok, "{err}");
    let (_, out2, _) = run(&args);
    assert_eq!(out1, out2, "bootstrap must be deterministic for a seed");
    let one_thread = Command::new(env!("CARGO_BIN_EXE_dynphase"))
        .args(args)
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&one_thread.stdout),
        out1,
        "thread count changed the result"
    );
    assert!(value(&out1, "bootstrap_ci95_low") <= value(&out1, "bootstrap_ci95_high"));
    assert_eq!(value(&out1, "bootstrap_replicates"), 20.0);
}

#[test]
fn bad_inputs_give_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&onset_table(2.72, 4.05, None), dir.path(), "t.csv");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "lr,delay_ms,n,not_learned\n0.1,0,5,1\n").unwrap();
    let over = dir.path().join("over.csv");
    std::fs::write(
        &over,
        "lr,delay_ms,n,not_learned,limit_cycle,slow_point\n0.1,0,5,1,2,2\n0.1,20,5,4,2,2\n",
    )
    .unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["scaling", &p, "--experiment", "fast"],
            "unknown experiment 'fast'",
        ),
        (
            vec!["scaling", &p, "--experiment", "post", "--boundary", "x"],
            "unknown boundary",
        ),
        (
            vec!["scaling", &p, "--experiment", "post", "--method", "ols"],
            "unknown method",
        ),
        (
            vec!["scaling", &p, "--experiment", "post", "--p0", "1"],
            "invalid p0",
        ),
        (
            vec!["scaling", bad.to_str().unwrap(), "--experiment", "post"],
            "missing column",
        ),
        (
            vec!["scaling", over.to_str().unwrap(), "--experiment", "post"],
            "line 3",
        ),
        (
            vec!["scaling", "/nonexistent/t.csv", "--experiment", "post"],
            "/nonexistent/t.csv",
        ),
    ];
    for (args, want) in cases {
        let (ok, _, err) = run(&args);
        assert!(!ok, "{args:?}");
        assert!(
            err.starts_with("error:") && err.contains(want),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

/// The two-step estimator says where it cannot work: on a post-period table from 165 networks
/// (3 networks per cell, 4 rows over a factor 3.7 in η; `tests/data/post_phase_165.csv`, an
/// earlier design of the `quick-post` slice) every warning fires, and the numbers are still
/// printed.
#[test]
fn two_step_warns_on_thin_cells_low_r2_and_short_range() {
    let (ok, out, err) = run(&[
        "scaling",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/post_phase_165.csv"),
        "--experiment",
        "post",
    ]);
    assert!(ok, "{err}");
    assert!(value(&out, "r2") < 0.8, "{out}");
    assert!(err.contains("fewer than 10 networks (smallest 3)"), "{err}");
    assert!(err.contains("R² = 0.16 < 0.8"), "{err}");
    assert!(err.contains("span only a factor 3.7"), "{err}");
}
