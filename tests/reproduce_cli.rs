//! `dynphase reproduce`: the one-command pipeline, run end to end with the fake executor.

use std::process::Command;

#[test]
fn reproduce_runs_sweep_phase_scaling_and_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_dynphase");
    let run = || {
        Command::new(bin)
            .args([
                "reproduce",
                "--preset",
                "quick",
                "--executor",
                "fake",
                "--seeds",
                "2",
                "--epochs",
                "20",
                "--no-progress",
                "--sweeps",
            ])
            .arg(tmp.path().join("sweeps"))
            .arg("--out")
            .arg(tmp.path().join("figs"))
            .output()
            .unwrap()
    };
    let o = run();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // 9 lrs x 21 delays x 2 seeds.
    let runs = tmp.path().join("sweeps/quick/runs.jsonl");
    assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 378);
    let table = std::fs::read_to_string(tmp.path().join("sweeps/quick/phase.csv")).unwrap();
    assert_eq!(
        table.lines().next().unwrap(),
        "lr,delay_ms,n,not_learned,limit_cycle,slow_point"
    );
    assert_eq!(table.lines().count(), 1 + 9 * 21);
    assert!(out.contains("(two-step)") && out.contains("(mle)"), "{out}");
    assert!(tmp.path().join("figs/fig4A.png").exists());
    // The theory table and figures come first.
    assert!(
        out.contains("leading-order curves cross at T_delay = pi^2"),
        "{out}"
    );
    assert!(tmp.path().join("figs/fig4g_toy_phase_diagram.png").exists());
    // A rerun resumes: nothing is trained twice and the records are unchanged.
    let before = std::fs::read(&runs).unwrap();
    let o = run();
    assert!(o.status.success());
    assert_eq!(std::fs::read(&runs).unwrap(), before);
}

#[test]
fn reproduce_rejects_an_unknown_preset() {
    let tmp = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_dynphase"))
        .args(["reproduce", "--preset", "everything", "--sweeps"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("everything") && err.contains("quick"), "{err}");
}
