//! The cluster conveniences through the real binary, with the fake executor:
//! `sweep --shard auto` (shard from the SLURM array variables), `status` (progress and ETA)
//! and `merge --out`.

use std::path::Path;
use std::process::{Command, Output};

use dynphase::sweep::{Preset, RunRecord, Shard};

const BIN: &str = env!("CARGO_BIN_EXE_dynphase");
/// 2 lrs × 3 delays × 10 seeds = 60 runs, 15 per shard of 4.
const GRID: &[&str] = &[
    "--preset",
    "test-tiny",
    "--seeds",
    "10",
    "--executor",
    "fake",
    "--no-progress",
    "--threads",
    "1",
];
const SLURM_VARS: &[&str] = &[
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
];

/// Run the binary with exactly the given SLURM variables (none inherited).
fn run_env(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args);
    for v in SLURM_VARS {
        c.env_remove(v);
    }
    c.envs(vars.iter().copied());
    c.output().expect("binary runs")
}

fn sweep(dir: &Path, shard: &str, vars: &[(&str, &str)]) -> Output {
    let mut a = vec!["sweep", "--out", dir.to_str().unwrap(), "--shard", shard];
    a.extend_from_slice(GRID);
    run_env(&a, vars)
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The records without `wall_s`, sorted.
fn normalised(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("runs.jsonl")).unwrap();
    let mut v: Vec<String> = text
        .lines()
        .map(|l| l[..l.rfind(",\"wall_s\":").unwrap()].to_string())
        .collect();
    v.sort();
    v
}

fn manifest_shard(dir: &Path) -> serde_json::Value {
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap();
    m["shard"].clone()
}

#[test]
fn shard_auto_reads_the_slurm_array() {
    let tmp = tempfile::tempdir().unwrap();
    let explicit = tmp.path().join("explicit");
    ok(sweep(&explicit, "1/4", &[]));
    assert_eq!(normalised(&explicit).len(), 15);

    // --array=0-3, task 1
    let a = tmp.path().join("a");
    let o = ok(sweep(
        &a,
        "auto",
        &[
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "3"),
        ],
    ));
    assert!(stderr(&o).contains("shard 1/4: 15 runs"), "{}", stderr(&o));
    assert_eq!(manifest_shard(&a), "1/4");
    assert_eq!(normalised(&a), normalised(&explicit));

    // --array=1-4, task 2 is the second task: shard 1/4
    let b = tmp.path().join("b");
    ok(sweep(
        &b,
        "auto",
        &[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "4"),
        ],
    ));
    assert_eq!(manifest_shard(&b), "1/4");
    assert_eq!(normalised(&b), normalised(&explicit));

    // A resubmitted index (`sbatch --array=1`): auto/N resumes the same shard.
    let o = ok(sweep(
        &a,
        "auto/4",
        &[
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "1"),
        ],
    ));
    assert!(
        stderr(&o).contains("15 already done, 0 run now"),
        "{}",
        stderr(&o)
    );
    // ... while plain auto sees an array of one task and refuses the shard's directory.
    let o = sweep(
        &a,
        "auto",
        &[
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "1"),
        ],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("holds a different sweep"),
        "{}",
        stderr(&o)
    );

    // Outside SLURM, or with a malformed variable: one clear line, exit 1, nothing written.
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[],
            "error: invalid shard: auto: SLURM_ARRAY_TASK_ID is not set",
        ),
        (
            &[("SLURM_ARRAY_TASK_ID", "1")],
            "error: invalid shard: auto: SLURM_ARRAY_TASK_COUNT is not set",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "one"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            "error: invalid shard: auto: SLURM_ARRAY_TASK_ID='one' is not a non-negative integer",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            "error: invalid shard: auto: task index 4 is not below the shard count 4",
        ),
    ];
    for (k, (vars, msg)) in cases.iter().enumerate() {
        let dir = tmp.path().join(format!("bad{k}"));
        let o = sweep(&dir, "auto", vars);
        assert_eq!(o.status.code(), Some(1));
        let e = stderr(&o);
        assert!(e.starts_with(msg) && e.lines().count() == 1, "{e}");
        assert!(!dir.exists());
    }
}

/// The cost of every run of shard `s` of the test grid, keyed by id.
fn costs(s: Shard) -> Vec<(String, f64)> {
    let p = Preset::named("test-tiny")
        .unwrap()
        .with_overrides(&dynphase::sweep::Overrides {
            seeds: Some(10),
            ..Default::default()
        })
        .unwrap();
    s.select(p.runs())
        .iter()
        .map(|r| (r.id(), r.cost()))
        .collect()
}

/// Rewrite a shard's records with `wall_s = rate × cost`, keeping the first `keep` lines.
fn set_walls(dir: &Path, rate: f64, keep: usize) {
    let path = dir.join("runs.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = String::new();
    for line in text.lines().take(keep) {
        let mut r = RunRecord::from_line(line).unwrap();
        let spec = dynphase::sweep::RunSpec {
            experiment: r.experiment,
            lr: r.lr,
            delay_ms: r.delay_ms,
            seed: r.seed,
            epochs: r.epochs,
        };
        r.wall_s = rate * spec.cost();
        out.push_str(&r.to_line());
    }
    std::fs::write(&path, out).unwrap();
}

#[test]
fn status_counts_shards_and_prices_what_is_left() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = |i| tmp.path().join(format!("shard-{i}"));
    for i in 0..3 {
        ok(sweep(&shard(i), &format!("{i}/4"), &[]));
    }
    // 0.05 s per unit of cost (cost = epochs × trial steps = 20 × (16 + delay/5)); shard 1
    // keeps 5 of its 15 records and gets a half-written line; shard 3 has not started.
    let rate = 0.05;
    set_walls(&shard(0), rate, 15);
    set_walls(&shard(1), rate, 5);
    set_walls(&shard(2), rate, 15);
    let kept: Vec<String> = std::fs::read_to_string(shard(1).join("runs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| RunRecord::from_line(l).unwrap().id)
        .collect();
    let left1: f64 = costs(Shard { index: 1, count: 4 })
        .iter()
        .filter(|(id, _)| !kept.contains(id))
        .map(|(_, c)| c)
        .sum();
    let left3: f64 = costs(Shard { index: 3, count: 4 })
        .iter()
        .map(|(_, c)| c)
        .sum();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(shard(1).join("runs.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut f, b"{\"id\":\"nopost/lr=0.1").unwrap();

    let dirs: Vec<String> = (0..3)
        .map(|i| shard(i).to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["status"];
    args.extend(dirs.iter().map(String::as_str));
    args.extend(["--threads", "2"]);
    let o = ok(run_env(&args, &[]));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    let fmt = |s: f64| dynphase::sweep::status::format_duration(s);
    assert_eq!(
        lines[0],
        format!("{} (test-tiny shard 0/4): 15/15 done (100.0%)", dirs[0])
    );
    assert_eq!(
        lines[1],
        format!(
            "{} (test-tiny shard 1/4): 5/15 done (33.3%), ETA {}, last line incomplete (a run being written, or a killed task)",
            dirs[1],
            fmt(rate * left1 / 2.0)
        )
    );
    assert_eq!(
        lines[3],
        "missing: shard 3/4 (no directory yet: not started, or not given)"
    );
    // Shard 3 (not started, 15 runs) is the longest: the ETA is its cost at the rate.
    assert!(left3 > left1);
    assert_eq!(
        lines[4],
        format!(
            "overall: 35/60 done (58.3%), 25 left; ETA {} with 2 threads per shard, all shards running at once",
            fmt(rate * left3 / 2.0)
        )
    );
    // The numbers themselves: shard 3 holds 5 runs of each delay (0, 20, 40 ms), so it costs
    // 5 × (320 + 400 + 480) = 6000 units, 300 s at 0.05 s/unit, 150 s on 2 threads.
    assert_eq!(left3, 6000.0);
    assert_eq!(fmt(rate * left3 / 2.0), "2m30s");

    // Nothing finished yet: the ETA is unknown. Not a sweep directory: a clear error.
    let empty = tmp.path().join("empty");
    ok(sweep(&empty, "3/4", &[]));
    std::fs::write(empty.join("runs.jsonl"), "").unwrap();
    let o = ok(run_env(&["status", empty.to_str().unwrap()], &[]));
    assert!(
        stdout(&o).contains("overall: 0/60 done (0.0%), 60 left; ETA unknown until a run finishes"),
        "{}",
        stdout(&o)
    );
    let o = run_env(&["status", tmp.path().to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no sweep.json manifest: not a sweep directory"));
}

#[test]
fn merge_out_flag_and_positional_form_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = |i| tmp.path().join(format!("shard-{i}"));
    for i in 0..2 {
        ok(sweep(&shard(i), &format!("{i}/2"), &[]));
    }
    let (s0, s1) = (shard(0), shard(1));
    let (s0, s1) = (s0.to_str().unwrap(), s1.to_str().unwrap());
    let flag = tmp.path().join("flag");
    let pos = tmp.path().join("pos");
    let o = ok(run_env(
        &["merge", "--out", flag.to_str().unwrap(), s0, s1],
        &[],
    ));
    assert!(
        stderr(&o).contains("merged 60 records from 2 directories (0 identical duplicates dropped, 0 of the grid's 60 missing)"),
        "{}",
        stderr(&o)
    );
    ok(run_env(&["merge", pos.to_str().unwrap(), s0, s1], &[]));
    assert_eq!(
        std::fs::read(flag.join("runs.jsonl")).unwrap(),
        std::fs::read(pos.join("runs.jsonl")).unwrap()
    );
    assert_eq!(
        std::fs::read(flag.join("sweep.json")).unwrap(),
        std::fs::read(pos.join("sweep.json")).unwrap()
    );
    // Positional form with only the output: a clear error, nothing written.
    let alone = tmp.path().join("alone");
    let o = run_env(&["merge", alone.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: invalid merge: no input directories given"),
        "{}",
        stderr(&o)
    );
    assert!(!alone.exists());
    // --out without inputs: the argument parser refuses it.
    let o = run_env(&["merge", "--out", alone.to_str().unwrap()], &[]);
    assert!(!o.status.success());
    assert!(!alone.exists());
}
