//! `dynphase reproduce`: the one-command pipeline, run end to end with the fake executor.

use std::path::Path;
use std::process::{Command, Output};

/// `dynphase reproduce ARGS --sweeps TMP/sweeps --out TMP/figs`.
fn reproduce(tmp: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dynphase"))
        .arg("reproduce")
        .args(args)
        .arg("--sweeps")
        .arg(tmp.join("sweeps"))
        .arg("--out")
        .arg(tmp.join("figs"))
        .output()
        .unwrap()
}

#[test]
fn reproduce_runs_sweep_phase_scaling_and_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let run = || {
        reproduce(
            tmp.path(),
            &[
                "--preset",
                "quick",
                "--executor",
                "fake",
                "--seeds",
                "2",
                "--epochs",
                "20",
                "--no-progress",
            ],
        )
    };
    let o = run();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // 10 rows with 11 x 6, 11, 10, 18, 6 delays = 111 cells, x 2 seeds.
    let runs = tmp.path().join("sweeps/quick/runs.jsonl");
    assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 222);
    let table = std::fs::read_to_string(tmp.path().join("sweeps/quick/phase.csv")).unwrap();
    assert_eq!(
        table.lines().next().unwrap(),
        "lr,delay_ms,n,not_learned,limit_cycle,slow_point"
    );
    assert_eq!(table.lines().count(), 1 + 111);
    assert!(out.contains("(two-step)") && out.contains("(mle)"), "{out}");
    // It ends with the results table of the preset it ran.
    let results = out
        .split("$ dynphase results --sweeps")
        .nth(1)
        .unwrap_or_else(|| panic!("no results step in {out}"));
    assert!(results.contains("--preset quick\n"), "{results}");
    assert!(
        results.contains("no solution (Fig 4C)") && results.contains("slow point (Fig S3F)"),
        "{results}"
    );
    assert!(
        results.contains("2.72 ± 0.07") && results.contains("  222  "),
        "{results}"
    );
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

#[test]
fn reproduce_runs_a_list_of_presets_and_validates_all_first() {
    let tmp = tempfile::tempdir().unwrap();
    // An unknown name anywhere in the list stops the command before any work.
    let o = reproduce(tmp.path(), &["--preset", "quick-post,nope"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope"));
    assert!(!tmp.path().join("sweeps").exists());
    assert!(!tmp.path().join("figs").exists());

    let o = reproduce(
        tmp.path(),
        &[
            "--preset",
            "quick-post,quick-no-memory",
            "--executor",
            "fake",
            "--epochs",
            "20",
            "--no-progress",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Post rows of 11, 11, 10, 9, 7 delays x 3, 3, 2, 2, 2 seeds; 7 lrs x 10 windows x 2 seeds.
    let lines = |p: &str| {
        std::fs::read_to_string(tmp.path().join(p))
            .unwrap()
            .lines()
            .count()
    };
    assert_eq!(lines("sweeps/quick-post/runs.jsonl"), 118);
    assert_eq!(lines("sweeps/quick-no-memory/runs.jsonl"), 140);
    assert_eq!(lines("sweeps/quick-post/phase.csv"), 1 + 48);
    assert_eq!(lines("sweeps/quick-no-memory/phase.csv"), 1 + 7 * 10);
    for f in [
        "fig4D.png",
        "fig4E.png",
        "fig4I.png",
        "figS6A.png",
        "figS6B.png",
    ] {
        assert!(tmp.path().join("figs").join(f).exists(), "{f}\n{out}");
    }
    // One results table for the whole list, after the last preset.
    let results = out.split("$ dynphase results").nth(1).unwrap();
    assert!(
        results.contains("--preset quick-post,quick-no-memory\n")
            && results.contains("no solution, post period (Fig 4F)")
            && results.contains("no memory (Fig S6C)"),
        "{results}"
    );
    // The theory step runs once for the whole list.
    assert_eq!(out.matches("0/4 toy-model figures").count(), 1, "{out}");
}
