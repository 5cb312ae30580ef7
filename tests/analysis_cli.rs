//! `dynphase classify` / `dynphase fixed-points` end to end.

mod common;
use common::{field as value, run};

use dynphase::analysis::index::index_from_signs;
use dynphase::io::{network, npy};
use dynphase::rnn::{FullRankParams, Rank2Params};

#[test]
fn classify_rates_npy_gives_spec_test_vector() {
    // Rates whose PCA projection reproduces the docs/mechanism-index.md test vector: two units, a step at t = 40
    // in unit 0 and a small constant-sign ramp in unit 1 → s_t = −1 for t < 40, +1 afterwards.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rates.npy");
    let t = 324;
    let mut f = Vec::new();
    for i in 0..t {
        f.push(if i < 40 { -1.0 } else { 1.0 });
        f.push(0.0);
    }
    npy::write_f64(&path, &[t, 2], &f).unwrap();
    let (ok, out, err) = run(&["classify", "--rates", path.to_str().unwrap()]);
    assert!(ok, "{err}");
    let idx: f64 = value(&out, "index").parse().unwrap();
    let r = dynphase::analysis::mechanism_index(&f, t, 2).unwrap();
    assert_eq!(idx, r.index);
    assert_eq!(idx, index_from_signs(&r.signs));
    assert_eq!(value(&out, "spectral"), r.label.short());
}

#[test]
fn malformed_inputs_give_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.npy");
    std::fs::write(&bad, b"not a numpy file").unwrap();
    let (ok, _, err) = run(&["classify", "--rates", bad.to_str().unwrap()]);
    assert!(
        !ok && err.starts_with("error:") && err.trim().lines().count() == 1,
        "{err}"
    );
    let one_d = dir.path().join("v.npy");
    npy::write_f64(&one_d, &[3], &[1.0, 2.0, 3.0]).unwrap();
    let (ok, _, err) = run(&["classify", "--rates", one_d.to_str().unwrap()]);
    assert!(!ok && err.contains("2-D"), "{err}");
    let (ok, _, err) = run(&["fixed-points", bad.to_str().unwrap()]);
    assert!(!ok && err.starts_with("error:"), "{err}");
    let p = FullRankParams::<f32>::init(100, 0);
    let net = dir.path().join("net.npz");
    network::save_full_rank(&net, &p).unwrap();
    let (ok, _, err) = run(&["classify", net.to_str().unwrap(), "--delay-ms", "7"]);
    assert!(!ok && err.contains("delay"), "{err}");
    // --delay-ms defaults to 100 ms, as in `fixed-points`.
    let (ok, out, err) = run(&["classify", net.to_str().unwrap()]);
    assert!(ok && value(&out, "trial_steps") == "36", "{err}");
}

#[test]
fn classify_and_fixed_points_on_saved_networks() {
    let dir = tempfile::tempdir().unwrap();
    let p = FullRankParams::<f32>::init(100, 4);
    let net = dir.path().join("net.npz");
    network::save_full_rank(&net, &p).unwrap();
    let (ok, out, err) = run(&[
        "classify",
        net.to_str().unwrap(),
        "--task",
        "dcdt",
        "--delay-ms",
        "100",
        "--seed",
        "4",
    ]);
    assert!(ok, "{err}");
    // Same numbers as the library call.
    let v = dynphase::analysis::classify::classify_full_rank(&p, 0.5, 20, 4, &Default::default())
        .unwrap();
    assert_eq!(
        value(&out, "index").parse::<f64>().unwrap(),
        v.spectral.index
    );
    assert_eq!(value(&out, "agree"), v.agree().to_string());
    assert_eq!(value(&out, "trial_steps"), "36");
    // --flow: the third classifier, the same verdict as the library's.
    let (ok, out, err) = run(&["classify", net.to_str().unwrap(), "--seed", "4", "--flow"]);
    assert!(ok, "{err}");
    let cfg = dynphase::analysis::classify::ClassifyConfig {
        flow: Some(Default::default()),
        ..Default::default()
    };
    let v = dynphase::analysis::classify::classify_full_rank(&p, 0.5, 20, 4, &cfg).unwrap();
    let f = v.flow.unwrap();
    assert_eq!(value(&out, "flow"), f.label.short(), "{out}");
    match f.evidence {
        dynphase::analysis::flow::FlowEvidence::Cycle { period_ms, .. } => assert_eq!(
            value(&out, "flow_cycle_period_ms").parse::<f64>().unwrap(),
            period_ms
        ),
        dynphase::analysis::flow::FlowEvidence::FixedPoint { arrival_ms, .. } => assert_eq!(
            value(&out, "flow_arrival_ms").parse::<f64>().unwrap(),
            arrival_ms
        ),
        dynphase::analysis::flow::FlowEvidence::Unresolved { .. } => {
            assert!(out.contains("flow_unresolved: "), "{out}")
        }
    }
    let (ok, out, err) = run(&["fixed-points", net.to_str().unwrap(), "--format", "csv"]);
    assert!(ok, "{err}");
    assert!(out
        .lines()
        .next()
        .unwrap()
        .starts_with("index,kind,type,q,speed,hits,eig0_re"));
    assert!(out.lines().count() >= 2, "{out}");
    let (ok, out, _) = run(&["fixed-points", net.to_str().unwrap(), "--format", "json"]);
    assert!(ok);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(j.as_array().is_some_and(|a| !a.is_empty()));

    let r2 = Rank2Params::<f32>::init(100, 1);
    let net2 = dir.path().join("r2.npz");
    network::save_rank2(&net2, &r2).unwrap();
    let (ok, out, err) = run(&[
        "classify",
        net2.to_str().unwrap(),
        "--delay-ms",
        "30",
        "--post",
    ]);
    assert!(ok, "{err}");
    assert_eq!(value(&out, "model"), "rank-2");
    assert_eq!(value(&out, "trial_steps"), "14");
    let (ok, _, err) = run(&["classify", net2.to_str().unwrap(), "--flow"]);
    assert!(!ok && err.contains("--flow"), "{err}");
    let (ok, out, err) = run(&["fixed-points", net2.to_str().unwrap(), "--delay-ms", "30"]);
    assert!(ok, "{err}");
    assert!(out.contains("fixed"), "{out}");
}
