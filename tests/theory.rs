//! Theory layer: GD boundaries against η*, scaling tables, local exponents, crossing, phases,
//! and the `dynphase theory` command line.

mod common;
use common::rel;

use std::f64::consts::PI;
use std::process::Command;

use dynphase::theory::*;
use dynphase::toy::{ClosedForm, LimitCycle, SaddleNode, ToyNumerics};

/// docs/toy-theory.md: SP failure sets in within a few percent of η*_SP (here: within 10 %).
#[test]
fn sp_gd_boundary_within_ten_percent_of_eta_star() {
    for td in [10.0, 30.0, 100.0, 400.0] {
        for tr in [5.0, td] {
            let m = SaddleNode::new(td, tr).unwrap();
            let b = m
                .gd_boundary(m.eta_star_closed(), m.r_star_closed())
                .unwrap();
            let ratio = b / m.eta_star_closed();
            assert!(
                (ratio - 1.0).abs() < 0.10,
                "T_d={td} T_r={tr}: GD/eta* = {ratio}"
            );
            // GD is above the criterion (it is a sufficient condition for failure).
            assert!(ratio >= 0.999, "T_d={td} T_r={tr}: GD/eta* = {ratio}");
        }
    }
}

/// LC: the criterion only looks at steps from just right of r*, so GD fails between about
/// 0.8 and 1.8 η*_LC; at T_d = 10, T_r = 5 already near 0.84 η*.
#[test]
fn lc_gd_boundary_ratio_range() {
    for td in [10.0, 30.0, 100.0, 400.0] {
        for tr in [5.0, td] {
            let m = LimitCycle::new(td, tr).unwrap();
            let ratio = m
                .gd_boundary(m.eta_star_closed(), m.r_star_closed())
                .unwrap()
                / m.eta_star_closed();
            assert!(
                (0.8..=1.8).contains(&ratio),
                "T_d={td} T_r={tr}: GD/eta* = {ratio}"
            );
        }
    }
    let m = LimitCycle::new(10.0, 5.0).unwrap();
    let ratio = m
        .gd_boundary(m.eta_star_closed(), m.r_star_closed())
        .unwrap()
        / m.eta_star_closed();
    assert!((ratio - 0.84).abs() < 0.01, "GD/eta* at (10, 5) = {ratio}");
}

#[test]
fn gd_run_outcomes() {
    let m = SaddleNode::new(60.0, 10.0).unwrap();
    let (e, rs) = (m.eta_star_closed(), m.r_star_closed());
    // Well below η*: GD bounces around r* with small loss.
    match m.gd_run(0.5 * e, 10.0 * rs, 20_000).unwrap() {
        dynphase::toy::GdOutcome::Survived { loss, .. } => assert!(loss < 0.05, "{loss}"),
        o => panic!("expected survival, got {o:?}"),
    }
    // Far above: frozen in the flat zone, at an iterate with r ≤ r_NL.
    match m.gd_run(3.0 * e, 10.0 * rs, 20_000).unwrap() {
        dynphase::toy::GdOutcome::Frozen { r, .. } => assert!(r <= m.r_nl_closed()),
        o => panic!("expected freezing, got {o:?}"),
    }
}

#[test]
fn scaling_table_columns_and_fits() {
    let rows = scaling_table(
        &[10.0, 100.0, 400.0],
        RespSpec::Fixed(5.0),
        TableOptions::default(),
    )
    .unwrap();
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert!(rel(r.sp.numeric, r.sp.exact) < 0.01);
        assert!(rel(r.lc.numeric, r.lc.exact) < 0.01);
        assert!(
            rel(
                r.sp.exact,
                eta_star_exact(Mechanism::SlowPoint, r.t_delay, 5.0).unwrap()
            ) < 1e-15
        );
    }
    // docs/toy-theory.md test values in the table.
    assert!(rel(rows[1].sp.leading, 1.217614e-8) < 5e-7);
    assert!(rel(rows[2].lc.leading, 1.953125e-8) < 5e-7);
    let fits = fit_columns(&rows);
    let get = |n: &str| fits.iter().find(|(k, _)| *k == n).unwrap().1.unwrap();
    assert!((get("eta_sp_leading").beta - 5.0).abs() < 1e-10);
    assert!((get("eta_lc_leading").beta - 3.0).abs() < 1e-10);
    // Proportional response: exact β = 4 (SP) and 2 (LC) for K < 1.
    let rows = scaling_table(
        &[20.0, 50.0, 200.0],
        RespSpec::Ratio(0.5),
        TableOptions {
            numeric: false,
            gd: false,
        },
    )
    .unwrap();
    let fits = fit_columns(&rows);
    let get = |n: &str| fits.iter().find(|(k, _)| *k == n).unwrap().1;
    assert!((get("eta_sp_exact").unwrap().beta - 4.0).abs() < 1e-10);
    assert!((get("eta_lc_exact").unwrap().beta - 2.0).abs() < 1e-10);
    assert!(get("eta_sp_numeric").is_none());
    assert!(rows[0].sp.numeric.is_nan());
}

#[test]
fn local_exponents_match_closed_forms() {
    // At fixed T_r: compare with a central difference of ln η*exact in ln T_d.
    for k in [0.01, 0.1, 0.5, 0.9, 1.2, 1.5, 1.9, 2.0, 5.0] {
        let td = 100.0;
        let tr = k * td;
        for mech in [Mechanism::SlowPoint, Mechanism::LimitCycle] {
            let b = local_exponent_exact(mech, td, RespSpec::Fixed(tr));
            if mech == Mechanism::LimitCycle && k >= 2.0 {
                // No closed form there: a typed refusal, not a number.
                assert!(
                    matches!(b, Err(dynphase::Error::NoClosedForm { .. })),
                    "K={k}"
                );
                assert!(eta_star_exact(mech, td, tr).is_err(), "K={k}");
                continue;
            }
            let b = b.unwrap();
            if mech == Mechanism::LimitCycle && k > 1.0 {
                assert!((b - 3.0 / (1.0 + k)).abs() < 1e-12, "K={k}: {b}");
            }
            let h: f64 = 1e-4;
            let (ta, tb) = (td * (-h).exp(), td * h.exp());
            let fd = -(eta_star_exact(mech, tb, tr).unwrap().ln()
                - eta_star_exact(mech, ta, tr).unwrap().ln())
                / (2.0 * h);
            assert!((b - fd).abs() < 1e-5, "{mech:?} K={k}: {b} vs {fd}");
            if k < 1.0 {
                match mech {
                    Mechanism::SlowPoint => assert!((4.0..=5.0).contains(&b)),
                    Mechanism::LimitCycle => assert!((2.0..=3.0).contains(&b)),
                }
            }
        }
    }
    // Limits: K → 0 gives 5 and 3, K → ∞ gives 4 (SP); T_r ∝ T_d gives 4 and 2.
    let sp0 = local_exponent_exact(Mechanism::SlowPoint, 1e6, RespSpec::Fixed(1.0)).unwrap();
    let lc0 = local_exponent_exact(Mechanism::LimitCycle, 1e6, RespSpec::Fixed(1.0)).unwrap();
    assert!((sp0 - 5.0).abs() < 1e-5 && (lc0 - 3.0).abs() < 1e-5);
    let spi = local_exponent_exact(Mechanism::SlowPoint, 1.0, RespSpec::Fixed(1e6)).unwrap();
    assert!((spi - 4.0).abs() < 1e-5);
    assert_eq!(
        local_exponent_exact(Mechanism::SlowPoint, 50.0, RespSpec::Ratio(1.0)).unwrap(),
        4.0
    );
    assert_eq!(
        local_exponent_exact(Mechanism::LimitCycle, 50.0, RespSpec::Ratio(0.3)).unwrap(),
        2.0
    );
    // The LC η* jumps at K = 1 (1/(24 T_d²) → 1/(8 T_d²)): no derivative there.
    assert!(local_exponent_exact(Mechanism::LimitCycle, 50.0, RespSpec::Fixed(50.0)).is_err());
    // Sampled curve: exact power law gives the exponent everywhere.
    let t = log_grid(10.0, 400.0, 6).unwrap();
    let eta: Vec<f64> = t.iter().map(|x| 3.0 * x.powf(-2.5)).collect();
    for b in local_exponents(&t, &eta).unwrap() {
        assert!((b - 2.5).abs() < 1e-12);
    }
    assert!(local_exponents(&[1.0], &[1.0]).is_err());
    assert!(local_exponents(&[2.0, 1.0], &[1.0, 1.0]).is_err());
}

#[test]
fn crossing_and_phases() {
    assert!((leading_crossing_delay() - PI * PI).abs() < 1e-15);
    for tr in [1.0, 5.0, 50.0] {
        let t = leading_crossing_delay();
        let s = eta_star_leading(Mechanism::SlowPoint, t, tr).unwrap();
        let l = eta_star_leading(Mechanism::LimitCycle, t, tr).unwrap();
        assert!(rel(s, l) < 1e-12);
    }
    // T_d = 100, T_r = 5: η*_SP ≈ 1.13e-8, η*_LC ≈ 1.19e-6.
    assert_eq!(
        phase(1e-9, 100.0, 5.0, Criterion::Exact).unwrap(),
        Phase::BothLearnable
    );
    assert_eq!(
        phase(1e-7, 100.0, 5.0, Criterion::Exact).unwrap(),
        Phase::LimitCycleOnly
    );
    assert_eq!(
        phase(1e-5, 100.0, 5.0, Criterion::Exact).unwrap(),
        Phase::NoLearning
    );
    assert_eq!(
        phase(1.0e-8, 100.0, 5.0, Criterion::Leading).unwrap(),
        Phase::BothLearnable
    );
    // Below the crossing the order flips (leading forms at T_d = 5).
    assert_eq!(
        phase(5e-3, 5.0, 1.0, Criterion::Leading).unwrap(),
        Phase::SlowPointOnly
    );
    assert!(phase(-1.0, 100.0, 5.0, Criterion::Exact).is_err());
    assert!(phase(1e-3, f64::NAN, 5.0, Criterion::Exact).is_err());
}

#[test]
fn bad_tables_are_typed_errors() {
    let o = TableOptions {
        numeric: false,
        gd: false,
    };
    assert!(scaling_table(&[], RespSpec::Fixed(5.0), o).is_err());
    assert!(scaling_table(&[10.0, -1.0], RespSpec::Fixed(5.0), o).is_err());
    assert!(scaling_table(&[10.0], RespSpec::Fixed(f64::NAN), o).is_err());
    assert!(scaling_table(&[10.0], RespSpec::Ratio(0.0), o).is_err());
    assert!(log_grid(10.0, 400.0, 0).is_err());
    assert!(log_grid(-1.0, 400.0, 3).is_err());
}

fn run_cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dynphase"))
        .args(args)
        .output()
        .expect("run dynphase");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_csv_header_rows_and_values() {
    let (code, out, err) = run_cli(&[
        "theory",
        "--t-resp",
        "5",
        "--t-delay",
        "10,100,400",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "t_delay,t_resp,eta_sp_exact,eta_sp_leading,eta_sp_numeric,eta_sp_gd,eta_lc_exact,eta_lc_leading,eta_lc_numeric,eta_lc_gd,sp_exact_form,lc_exact_form");
    assert_eq!(lines.len(), 4);
    assert!(lines[2].ends_with(",closed,closed"), "{}", lines[2]);
    let row: Vec<f64> = lines[2]
        .split(',')
        .take(10)
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(row[0], 100.0);
    assert!(rel(row[3], 1.217614e-8) < 5e-7);
    assert!(rel(row[4], row[2]) < 0.01);
    assert!(err.contains("beta"), "summary on stderr: {err}");
}

#[test]
fn cli_grids_formats_and_errors() {
    let (code, out, _) = run_cli(&[
        "theory",
        "--t-delay",
        "10:1000:3",
        "--t-resp-ratio",
        "0.5",
        "--format",
        "json",
        "--no-gd",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    assert!((v["rows"][1]["t_delay"].as_f64().unwrap() - 100.0).abs() < 1e-9);
    assert!((v["rows"][1]["t_resp"].as_f64().unwrap() - 50.0).abs() < 1e-9);
    assert!((v["exponents"]["eta_lc_exact"]["beta"].as_f64().unwrap() - 2.0).abs() < 1e-9);
    for bad in [
        vec!["theory", "--t-resp", "-5"],
        vec!["theory", "--t-resp", "nan"],
        vec!["theory", "--t-delay", ""],
        vec!["theory", "--t-delay", "10:400"],
        vec!["theory", "--t-delay", "10:400:0"],
        vec!["theory", "--t-delay", "10,abc"],
        vec!["theory", "--t-resp", "5", "--t-resp-ratio", "1"],
        vec!["theory", "--t-resp-ratio", "0"],
    ] {
        let (code, _, err) = run_cli(&bad);
        assert_ne!(code, 0, "{bad:?}");
        assert!(!err.contains("panicked"), "{bad:?}: {err}");
        assert!(err.starts_with("error:"), "{bad:?}: {err}");
    }
}

#[test]
fn theory_figures_are_written_as_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let files = dynphase::plot::theory::render_all(dir.path()).unwrap();
    assert_eq!(files.len(), 14);
    assert!(files.iter().any(|f| f.ends_with("fig1E_dcdt_task.png")));
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        match f.extension().and_then(|e| e.to_str()) {
            Some("png") => assert_eq!(&bytes[1..4], b"PNG", "{}", f.display()),
            Some("svg") => assert!(String::from_utf8_lossy(&bytes).contains("<svg")),
            _ => panic!("unexpected file {}", f.display()),
        }
    }
}

/// `theory --t-resp-ratio 1.5` used to print the T_r ≤ T_d closed form (50 % off the numerics).
/// For T_d < T_r < 2T_d the minimum sits at r* = 1/(T_d + T_r) and η*_LC = T_r/(T_d + T_r)³;
/// the closed form now agrees with the criterion evaluated from the ODE.
#[test]
fn cli_lc_closed_form_for_long_response_windows() {
    let (code, out, err) = run_cli(&[
        "theory",
        "--t-resp-ratio",
        "1.5",
        "--t-delay",
        "10,40,160",
        "--format",
        "csv",
        "--no-gd",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(lines.len(), 3);
    for line in lines {
        assert!(line.ends_with(",closed,closed"), "{line}");
        let v: Vec<f64> = line
            .split(',')
            .take(10)
            .map(|x| x.parse().unwrap())
            .collect();
        let (td, tr) = (v[0], v[1]);
        let closed = tr / (td + tr).powi(3);
        assert!(
            rel(v[6], closed) < 1e-6,
            "T_d={td}: exact {} vs {closed}",
            v[6]
        );
        assert!(
            rel(v[8], v[6]) < 1e-6,
            "T_d={td}: numeric {} vs exact {}",
            v[8],
            v[6]
        );
    }
    assert!(!err.contains("'numeric'"), "{err}");
}

/// For T_r ≥ 2T_d there is no LC closed form: the table falls back to the numerics and says so
/// (column `lc_exact_form` = numeric and a note), and the library refuses with a typed error.
#[test]
fn cli_lc_without_closed_form_is_marked_numeric() {
    let (code, out, err) = run_cli(&[
        "theory",
        "--t-resp-ratio",
        "2.5",
        "--t-delay",
        "10,20",
        "--no-gd",
    ]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = out.lines().skip(1).take(2).collect();
    for row in &rows {
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells[10..], ["closed", "numeric"], "{row}");
        assert_eq!(
            cells[6], cells[8],
            "exact column falls back to numeric: {row}"
        );
    }
    assert!(
        out.contains("closed form needs T_resp < 2 T_delay"),
        "{out}"
    );
    let e = eta_star_exact(Mechanism::LimitCycle, 10.0, 25.0).unwrap_err();
    assert!(matches!(e, dynphase::Error::NoClosedForm { .. }));
    assert!(e.to_string().contains("T_resp < 2 T_delay"), "{e}");
    assert!(!e.to_string().contains('\n'));
}
