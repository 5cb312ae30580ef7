//! `dynphase orbits` end to end on ring networks with a closed-form cycle of period 2π/tan ψ
//! (see `dynphase::analysis::orbits::ring_rank2`), saved as rank-2 and as full-rank files.

use dynphase::analysis::orbits::{rank2_dense, ring_rank2};
use dynphase::io::network;
use dynphase::rnn::{FullRankParams, Rank2Params};
use std::f64::consts::PI;
use std::process::Command;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dynphase"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn value<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no '{key}' in {out}"))
}

const PSI: f64 = PI / 3.0;

fn ring_rank2_file(dir: &std::path::Path) -> std::path::PathBuf {
    let (m, n) = ring_rank2(100, 1.0, 6.0, PSI);
    let f = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let p = Rank2Params {
        m: f(&m),
        n: f(&n),
        b: vec![0.0; 100],
        w_out: vec![1.0, 0.0],
        b_out: vec![0.0],
        x0: (0..100).map(|i| 0.1 * (i as f32 * 0.37).sin()).collect(),
    };
    let path = dir.join("ring_rank2.npz");
    network::save_rank2(&path, &p).unwrap();
    path
}

#[test]
fn orbits_of_rank2_ring_network_table_csv_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = ring_rank2_file(dir.path());
    let t = 2.0 * PI / PSI.tan();
    let (ok, out, err) = run(&["orbits", path.to_str().unwrap(), "--delay-ms", "50"]);
    assert!(ok, "{err}");
    assert_eq!(value(&out, "model"), "rank-2 latent");
    let pt: f64 = value(&out, "period_tau").parse().unwrap();
    // f32 weights break the ring symmetry at the 1e-7 level.
    assert!((pt - t).abs() / t < 1e-5, "{pt} vs {t}");
    let ps: f64 = value(&out, "period_steps").parse().unwrap();
    assert!((ps - pt / 0.5).abs() < 1e-4);
    let pm: f64 = value(&out, "period_ms").parse().unwrap();
    assert!((pm - 10.0 * pt).abs() < 1e-4);
    assert_eq!(value(&out, "stable"), "true");
    let (ok, csv, err) = run(&["orbits", path.to_str().unwrap(), "--format", "csv"]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("model,dim,period_tau,period_ms,period_steps"));
    let (ok, js, err) = run(&["orbits", path.to_str().unwrap(), "--format", "json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    let period = v[0]["period_tau"].as_f64().unwrap();
    assert!((period - t).abs() / t < 1e-5);
    assert_eq!(v[0]["multipliers"].as_array().unwrap().len(), 2);
}

#[test]
fn orbits_of_full_rank_ring_network_and_of_a_network_without_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let (m, n) = ring_rank2(100, 1.0, 6.0, PSI);
    let mut p = FullRankParams::<f32>::init(100, 0);
    p.w_rec = rank2_dense(&m, &n).iter().map(|&x| x as f32).collect();
    p.b_in = vec![0.0; 100];
    p.b_rec = vec![0.0; 100];
    let path = dir.path().join("ring_full.npz");
    network::save_full_rank(&path, &p).unwrap();
    let (ok, out, err) = run(&["orbits", path.to_str().unwrap(), "--delay-ms", "50"]);
    assert!(ok, "{err}");
    assert_eq!(value(&out, "dim"), "100");
    let t = 2.0 * PI / PSI.tan();
    let pt: f64 = value(&out, "period_tau").parse().unwrap();
    assert!((pt - t).abs() / t < 1e-5, "{pt} vs {t}");
    // Weak recurrence (a c cos ψ < 2): the origin is a stable fixed point, no cycle.
    let (m, n) = ring_rank2(100, 1.0, 1.0, PSI);
    p.w_rec = rank2_dense(&m, &n).iter().map(|&x| x as f32).collect();
    network::save_full_rank(&path, &p).unwrap();
    let (ok, out, err) = run(&["orbits", path.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("no periodic orbit"), "{out}");
    let (ok, js, _) = run(&["orbits", path.to_str().unwrap(), "--format", "json"]);
    assert!(ok);
    assert_eq!(js.trim(), "[]");
}

#[test]
fn orbits_bad_input_is_a_one_line_error() {
    let (ok, _, err) = run(&["orbits", "/nonexistent/net.npz"]);
    assert!(!ok);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let path = ring_rank2_file(dir.path());
    let (ok, _, err) = run(&["orbits", path.to_str().unwrap(), "--steps", "2"]);
    assert!(!ok);
    assert!(err.starts_with("error:"), "{err}");
}
