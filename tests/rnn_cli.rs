//! `dynphase train` end to end: the reference JSON through `--init`, files written, and clear
//! errors for bad input.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dynphase"))
}

#[test]
fn rank2_reference_init_via_cli() {
    let dir = tempfile::tempdir().unwrap();
    let h = dir.path().join("h.csv");
    let s = dir.path().join("net.npz");
    let json = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/rank2_seed30_init.json"
    );
    let out = bin()
        .args([
            "train",
            "--model",
            "rank2",
            "--task",
            "delayed-activation",
            "--delay-ms",
            "75",
            "--response-ms",
            "10",
            "--lr",
            "0.1",
            "--epochs",
            "11",
            "--init",
            json,
        ])
        .arg("--history")
        .arg(&h)
        .arg("--save")
        .arg(&s)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("epochs: 11"), "{stdout}");
    let hist = dynphase::io::history::read_csv(&h).unwrap();
    assert_eq!(hist.len(), 11);
    // Reference log: epoch 0 loss 0.05269467086, epoch 10 loss 0.0526426658.
    assert!((hist.loss[0] - 0.05269467086).abs() / 0.0527 < 1e-5);
    assert!((hist.loss[10] - 0.0526426658).abs() / 0.0526 < 1e-5);
    let p = dynphase::io::network::load_rank2(&s).unwrap();
    assert_eq!(p.n_hidden(), 100);
    // Piped output: no progress bar escape codes.
    assert!(!String::from_utf8_lossy(&out.stderr).contains('\u{1b}'));
}

#[test]
fn full_rank_short_run_prints_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("net.npz");
    let out = bin()
        .args([
            "train",
            "--model",
            "full",
            "--task",
            "dcdt",
            "--delay-ms",
            "20",
            "--lr",
            "0.1",
            "--seed",
            "3",
            "--epochs",
            "3",
        ])
        .arg("--save")
        .arg(&s)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("outcome: learned = false"), "{stdout}");
    assert!(stdout.contains("class: 0"), "{stdout}");
    // The saved network loads again and can initialise another run (--init, f64 precision).
    let out2 = bin()
        .args([
            "train",
            "--model",
            "full",
            "--task",
            "no-memory",
            "--window-ms",
            "40",
            "--lr",
            "0.1",
            "--epochs",
            "2",
            "--precision",
            "f64",
            "--init",
        ])
        .arg(&s)
        .output()
        .unwrap();
    assert!(
        out2.status.success(),
        "{}",
        String::from_utf8_lossy(&out2.stderr)
    );
    assert!(String::from_utf8_lossy(&out2.stdout).contains("outcome: not learned (class 0)"));
}

#[test]
fn bad_input_gives_one_line_errors() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--model",
                "full",
                "--task",
                "dcdt",
                "--delay-ms",
                "-20",
                "--lr",
                "0.1",
            ],
            "invalid delay-ms",
        ),
        (
            &[
                "--model",
                "full",
                "--task",
                "dcdt",
                "--delay-ms",
                "200",
                "--lr",
                "nan",
            ],
            "invalid lr",
        ),
        (
            &[
                "--model",
                "full",
                "--task",
                "dcdt",
                "--delay-ms",
                "200",
                "--lr",
                "-1",
            ],
            "invalid lr",
        ),
        (
            &[
                "--model",
                "full",
                "--task",
                "delayed-activation",
                "--lr",
                "0.1",
            ],
            "needs --model rank2",
        ),
        (
            &[
                "--model",
                "rank2",
                "--task",
                "delayed-activation",
                "--delay-ms",
                "75",
                "--lr",
                "0.1",
                "--init",
                "/nonexistent/x.npz",
            ],
            "/nonexistent/x.npz",
        ),
    ];
    for (args, want) in cases {
        let out = bin().arg("train").args(*args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("error: ") && err.contains(want),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    // Unknown names are rejected by the argument parser with the accepted values listed.
    for (args, want) in [
        (&["--model", "big", "--lr", "0.1"][..], "full, rank2"),
        (
            &["--task", "sing", "--lr", "0.1"][..],
            "dcdt, no-memory, delayed-activation",
        ),
        (
            &["--window", "exact", "--lr", "0.1"][..],
            "reference, corrected",
        ),
    ] {
        let out = bin().arg("train").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("invalid value") && err.contains(want), "{err}");
    }
}
