//! What a new user hits first: each case runs the binary as a user would and checks the exit
//! code and the message (or the corrected output).

use std::path::Path;
use std::process::{Command, Output};

use dynphase::io::network;
use dynphase::rnn::{FullRankParams, Rank2Params};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dynphase"))
}

fn run_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o: Output = bin().current_dir(dir).args(args).output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A one-line `error: ...` on stderr with exit code 1.
fn assert_error(r: &(Option<i32>, String, String), needles: &[&str]) {
    let (code, _, err) = r;
    assert_eq!(*code, Some(1), "{err}");
    assert!(
        err.starts_with("error: ") && err.trim().lines().count() == 1,
        "{err}"
    );
    for n in needles {
        assert!(err.contains(n), "missing '{n}' in: {err}");
    }
}

fn fake_sweep(dir: &Path, preset: &str, out: &str, extra: &[&str]) {
    let mut args = vec![
        "sweep",
        "--preset",
        preset,
        "--executor",
        "fake",
        "--no-progress",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    let (code, _, err) = run_in(dir, &args);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn item1_figures_of_an_ad_hoc_sweep_stay_next_to_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fake_sweep(d, "post", "mine", &["--seeds", "1", "--epochs", "20"]);
    let (code, out, err) = run_in(d, &["figures", "sweep", "mine"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(d.join("mine/figures/fig4D.png").exists(), "{out}");
    assert!(out.lines().all(|l| l.starts_with("mine/figures/")), "{out}");
    assert!(
        !d.join("paper_figures").exists(),
        "the gallery is left alone"
    );
    // Several directories: the user says where.
    fake_sweep(d, "test-tiny", "tiny", &[]);
    assert_error(
        &run_in(d, &["figures", "sweep", "mine", "tiny"]),
        &["--out"],
    );
    assert!(!d.join("paper_figures").exists());
    // `--paper` belongs to the families that train rank-2 networks only.
    let (code, _, err) = run_in(d, &["figures", "sweep", "mine", "--paper"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("unexpected argument '--paper'"), "{err}");
    // An output path that is a file is refused before any drawing.
    std::fs::write(d.join("afile"), "x").unwrap();
    assert_error(
        &run_in(d, &["figures", "sweep", "mine", "--out", "afile"]),
        &["invalid out", "not a directory"],
    );
}

#[test]
fn item3_likelihood_fit_reports_failure_instead_of_a_number() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A quick-grid sweep with one seed per cell and the fake executor: the plain likelihood
    // puts the boundary rising with the learning rate (it used to print beta = -28.5 with the
    // interval [3.95, inf) and exit 0).
    // The table (tests/data/fake_quick_v1_seed1_phase.csv) is the phase table of that sweep on
    // the earlier 9-row quick grid (0.316 ... 0.01): the fake executor's `nopost --seeds 1`
    // table restricted to those rows.
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/fake_quick_v1_seed1_phase.csv"
        ),
        d.join("q.csv"),
    )
    .unwrap();
    let r = run_in(
        d,
        &[
            "scaling",
            "q.csv",
            "--experiment",
            "nopost",
            "--method",
            "mle",
        ],
    );
    assert_error(
        &r,
        &["maximum-likelihood", "beta", "try more networks per cell"],
    );
    assert!(r.1.is_empty(), "no estimate printed: {}", r.1);
    // Two learning rates: says that three are needed.
    fake_sweep(d, "test-tiny", "t", &[]);
    run_in(d, &["phase", "t", "--out", "t.csv"]);
    assert_error(
        &run_in(
            d,
            &[
                "scaling",
                "t.csv",
                "--experiment",
                "nopost",
                "--method",
                "mle",
            ],
        ),
        &["at least 3 learning rates are needed", "the table has 2"],
    );
}

#[test]
fn item4_resources_are_checked_before_training() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // E(lr) = max(1000, 30/lr) = 3e31 epochs: refused at once (it used to run forever).
    assert_error(
        &run_in(d, &["train", "--delay-ms", "100", "--lr", "1e-30"]),
        &["invalid lr", "3.00e31 epochs", "--no-resource-limits"],
    );
    // 30 million epochs of a 36-step trial: about 40 hours.
    assert_error(
        &run_in(d, &["train", "--delay-ms", "100", "--lr", "1e-6"]),
        &[
            "invalid lr",
            "30,000,000 epochs of 36 steps",
            "h on one core",
        ],
    );
    // A 1,000,000 ms delay needs 31 GB of workspace (it used to be killed at 24 GB).
    assert_error(
        &run_in(d, &["train", "--delay-ms", "1000000", "--lr", "0.1"]),
        &["invalid delay-ms", "200,016 steps", "31.1 GB"],
    );
    // Rank-2 with an explicit budget names --epochs.
    assert_error(
        &run_in(
            d,
            &[
                "train",
                "--model",
                "rank2",
                "--task",
                "delayed-activation",
                "--delay-ms",
                "75",
                "--lr",
                "0.1",
                "--epochs",
                "100000000000",
            ],
        ),
        &["invalid epochs", "100,000,000,000 epochs of 17 steps"],
    );
}

fn nan_full_rank(path: &Path) {
    let mut p = FullRankParams::<f32>::init(100, 0);
    p.w_rec[7] = f32::NAN;
    network::save_full_rank(path, &p).unwrap();
}

#[test]
fn item5_divergence_is_an_outcome_and_nan_weights_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (code, out, err) = run_in(
        d,
        &[
            "train",
            "--delay-ms",
            "0",
            "--lr",
            "1e30",
            "--epochs",
            "20",
            "--quiet",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("diverged at epoch "), "{out}");
    assert!(!out.contains("stable = true"), "{out}");
    assert!(out.contains("learned = false (diverged)"), "{out}");
    assert!(out.contains("class: 0 (not learned: diverged)"), "{out}");
    let (code, out, err) = run_in(
        d,
        &[
            "train",
            "--model",
            "rank2",
            "--task",
            "delayed-activation",
            "--delay-ms",
            "75",
            "--lr",
            "1e30",
            "--epochs",
            "50",
            // Seed 1: its initial weights overflow to NaN at this rate (seed 0's saturate
            // the tanh and sigmoid instead, so its gradients vanish without diverging).
            "--seed",
            "1",
            "--quiet",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("diverged at epoch "), "{out}");
    assert!(!out.contains("stable = true"), "{out}");
    assert!(out.contains("outcome: learned = false (diverged)"), "{out}");
    assert!(out.contains("; class: 0"), "{out}");

    // A NaN weight is refused when the file is read, naming the array.
    nan_full_rank(&d.join("nan.npz"));
    for args in [
        vec![
            "train",
            "--delay-ms",
            "0",
            "--lr",
            "0.1",
            "--init",
            "nan.npz",
        ],
        vec!["classify", "nan.npz", "--delay-ms", "100"],
        vec!["fixed-points", "nan.npz"],
    ] {
        assert_error(
            &run_in(d, &args),
            &[
                "nan.npz",
                "array 'w_rec'",
                "non-finite value (NaN) at flat index 7",
            ],
        );
    }
    let mut r = Rank2Params::<f32>::init(100, 0);
    r.n[3] = f32::INFINITY;
    network::save_rank2(&d.join("inf2.npz"), &r).unwrap();
    assert_error(
        &run_in(d, &["classify", "inf2.npz", "--delay-ms", "75"]),
        &["array 'n'", "non-finite value (inf) at flat index 3"],
    );
}

#[test]
fn item6_output_paths_and_flag_combinations_are_checked_before_training() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // The budget is 30 million epochs at lr 1e-6 with --epochs unset, so a late check would
    // hang here; the explicit budget keeps the (refused) run short anyway.
    let base = [
        "train",
        "--delay-ms",
        "100",
        "--lr",
        "0.1",
        "--epochs",
        "100000",
    ];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        run_in(d, &a)
    };
    let start = std::time::Instant::now();
    assert_error(
        &with(&["--save", "/nonexistent/x.npz"]),
        &["invalid save", "directory /nonexistent does not exist"],
    );
    assert_error(
        &with(&["--history", "nodir/h.csv", "--save", "net.npz"]),
        &["invalid history", "directory nodir does not exist"],
    );
    std::fs::create_dir(d.join("adir")).unwrap();
    assert_error(
        &with(&["--save", "adir"]),
        &["invalid save", "is a directory"],
    );
    assert_error(
        &with(&["--checkpoint-every", "10"]),
        &["invalid checkpoint-every", "needs --save"],
    );
    assert_error(
        &with(&["--snapshot-epochs", "10", "--save", "net.npz"]),
        &["invalid snapshot-epochs", "--model rank2 only"],
    );
    // 100,000 epochs take minutes: every refusal above came before the first epoch.
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    assert!(!d.join("net.npz").exists());
    // A refused flag value names the flag as typed.
    assert_error(
        &run_in(d, &["train", "--delay-ms", "7", "--lr", "0.1"]),
        &["invalid delay-ms: must be a multiple of 5 ms"],
    );
}

#[test]
fn item7_classify_takes_every_task_and_train_classifies() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    network::save_full_rank(&d.join("net.npz"), &FullRankParams::<f32>::init(100, 4)).unwrap();
    network::save_rank2(&d.join("r2.npz"), &Rank2Params::<f32>::init(100, 1)).unwrap();
    assert_error(
        &run_in(d, &["classify", "net.npz", "--task", "no-memory"]),
        &["invalid task", "no mechanism to classify"],
    );
    assert_error(
        &run_in(d, &["classify", "net.npz", "--task", "delayed-activation"]),
        &["full-rank network: its task is dcdt"],
    );
    assert_error(
        &run_in(d, &["classify", "r2.npz", "--task", "dcdt"]),
        &["rank-2 network: its task is delayed-activation"],
    );
    let (code, out, err) = run_in(d, &["classify", "r2.npz", "--task", "delayed-activation"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("model: rank-2"), "{out}");
    // `--delay-ms` defaults to 100 ms as in `fixed-points`: a 36-step trial.
    let (code, out, err) = run_in(d, &["classify", "net.npz"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("trial_steps: 36"), "{out}");
}

#[test]
fn a_closed_output_pipe_ends_quietly_instead_of_panicking() {
    // `dynphase theory | head -1`: the reader goes away before the table is printed.
    let mut child = bin()
        .arg("theory")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(141), "{err}");
}
