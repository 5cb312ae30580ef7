//! `dynphase bifurcations` on the Fig S1 run (the paper's seed-30 rank-2 network, T = 30,
//! R = 10 steps, η = 0.01, 150,000 epochs; checkpoints every 5,000 epochs) and its errors.

mod common;
use common::{data_file, run};

/// Train the seed-30 rank-2 network with `dynphase train`, saving `<save>_epoch<E>.npz` at
/// the given epochs.
fn train_rank2(
    save: &std::path::Path,
    delay_ms: &str,
    resp_ms: &str,
    epochs: usize,
    snaps: &[usize],
) {
    let snaps: Vec<String> = snaps.iter().map(|e| e.to_string()).collect();
    let init = data_file("rank2_seed30_init.json");
    let (ok, _, err) = run(&[
        "train",
        "--model",
        "rank2",
        "--task",
        "delayed-activation",
        "--init",
        init.to_str().unwrap(),
        "--delay-ms",
        delay_ms,
        "--response-ms",
        resp_ms,
        "--lr",
        "0.01",
        "--epochs",
        &epochs.to_string(),
        "--snapshot-epochs",
        &snaps.join(","),
        "--save",
        save.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(ok, "{err}");
}

fn train_fig_s1(dir: &std::path::Path) {
    let snaps: Vec<usize> = (0..30).map(|k| k * 5000).collect();
    train_rank2(&dir.join("figS1.npz"), "150", "50", 150_000, &snaps);
}

/// Not ignored: about 10 s of one core.
#[test]
fn fig_s1_switches_from_fixed_points_to_a_cycle_through_a_snic() {
    let dir = tempfile::tempdir().unwrap();
    train_fig_s1(dir.path());
    let json = dir.path().join("scan.json");
    let (ok, out, err) = run(&[
        "bifurcations",
        dir.path().to_str().unwrap(),
        "--delay-ms",
        "150",
        "--response-ms",
        "50",
        "--json",
        json.to_str().unwrap(),
        "--figures",
        dir.path().to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    println!("{out}");
    assert!(out.contains("rank-2 latent, 30 checkpoints, epochs 0 to 145000"));
    assert!(dir.path().join("bifurcations_figS1.png").exists());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).expect("valid JSON");
    let events = v["events"].as_array().unwrap();
    let seq: Vec<(String, String, f64)> = events
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["direction"].as_str().unwrap().to_string(),
                e["epoch"].as_f64().unwrap(),
            )
        })
        .collect();
    // The numbers quoted in docs/dynamics.md: a pair of fixed points is created near epoch
    // 24,600 and annihilated near 44,100 (leaving its ghost: slow points at 45,000 and
    // 50,000), another pair appears near 72,200 and meets on a closed curve at a SNIC near
    // 72,400, where the cycle is born with a period diverging as |Δepoch|^(−1/2).
    let kinds: Vec<(&str, &str)> = seq
        .iter()
        .map(|(k, d, _)| (k.as_str(), d.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("fold", "creation"),
            ("fold", "annihilation"),
            ("fold", "creation"),
            ("hopf", "stability change"),
            ("snic", "creation"),
        ],
        "{seq:?}"
    );
    let near = |i: usize, want: f64, tol: f64| {
        assert!(
            (seq[i].2 - want).abs() < tol,
            "event {i} at {} vs {want}",
            seq[i].2
        )
    };
    near(0, 24_641.0, 500.0);
    near(1, 44_139.0, 500.0);
    near(4, 72_441.0, 500.0);
    let snic = &events[4];
    let g = snic["period_exponent"].as_f64().unwrap();
    assert!((g - 0.5).abs() < 0.1, "period exponent {g}");
    assert!(snic["critical_eigenvalue"][0].as_f64().unwrap().abs() < 1e-8);
    let cps = v["checkpoints"].as_array().unwrap();
    let orbit_at = |e: u64| {
        cps.iter()
            .find(|c| c["epoch"].as_u64() == Some(e))
            .map(|c| !c["orbit"].is_null())
            .unwrap()
    };
    assert!(!orbit_at(70_000) && orbit_at(75_000) && orbit_at(145_000));
    let slow = |e: u64| {
        cps.iter()
            .find(|c| c["epoch"].as_u64() == Some(e))
            .map(|c| c["slow_point_speeds"].as_array().unwrap().len())
            .unwrap()
    };
    assert!(slow(45_000) >= 1 && slow(50_000) >= 1);
}

#[test]
fn bad_checkpoint_directories_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, _, err) = run(&["bifurcations", d]);
    assert!(!ok);
    assert!(err.contains("holds no checkpoints"), "{err}");
    let (ok, _, err) = run(&["bifurcations", "/nonexistent/dir"]);
    assert!(!ok && err.starts_with("error:"), "{err}");
    // One checkpoint only.
    train_rank2(&dir.path().join("a.npz"), "30", "10", 20, &[0]);
    let (ok, _, err) = run(&["bifurcations", d, "--delay-ms", "30"]);
    assert!(!ok);
    assert!(err.contains("one checkpoint; need at least 2"), "{err}");
    // Two runs in one directory.
    std::fs::copy(
        dir.path().join("a_epoch0.npz"),
        dir.path().join("b_epoch0.npz"),
    )
    .unwrap();
    std::fs::copy(
        dir.path().join("a_epoch0.npz"),
        dir.path().join("b_epoch10.npz"),
    )
    .unwrap();
    let (ok, _, err) = run(&["bifurcations", d, "--delay-ms", "30"]);
    assert!(!ok);
    assert!(
        err.contains("several runs (a, b); choose one with --stem"),
        "{err}"
    );
    // A bad delay and an unwritable JSON path fail before any work.
    let (ok, _, err) = run(&["bifurcations", d, "--stem", "b", "--delay-ms", "-5"]);
    assert!(!ok && err.contains("delay"), "{err}");
    let (ok, _, err) = run(&[
        "bifurcations",
        d,
        "--stem",
        "b",
        "--json",
        "/nonexistent/dir/x.json",
    ]);
    assert!(!ok && err.starts_with("error:"), "{err}");
    // Identical checkpoints: nothing changes, no bifurcation.
    let (ok, out, err) = run(&["bifurcations", d, "--stem", "b", "--delay-ms", "30"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("no bifurcation between the checkpoints"),
        "{out}"
    );
}
