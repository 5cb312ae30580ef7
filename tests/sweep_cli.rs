//! End-to-end tests of `dynphase sweep`, `merge` and `phase` through the real binary, with the
//! fake executor (a deterministic stand-in for training) so they run in seconds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dynphase");
/// 2 lrs × 3 delays × 10 seeds = 60 runs.
const GRID: &[&str] = &[
    "--preset",
    "test-tiny",
    "--seeds",
    "10",
    "--executor",
    "fake",
];
const N_RUNS: usize = 60;

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("binary runs")
}

fn sweep(dir: &Path, extra: &[&str]) -> Output {
    let mut a: Vec<&str> = vec!["sweep", "--out", dir.to_str().unwrap(), "--no-progress"];
    a.extend_from_slice(GRID);
    a.extend_from_slice(extra);
    let o = run(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The records of a runs.jsonl without their `wall_s` field, sorted.
fn normalised(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'));
    let mut v: Vec<String> = text
        .lines()
        .map(|l| {
            let p = l.rfind(",\"wall_s\":").expect("wall_s is the last field");
            l[..p].to_string()
        })
        .collect();
    v.sort();
    v
}

/// The same, keeping file order (for canonical-order comparisons).
fn in_order(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| l[..l.rfind(",\"wall_s\":").unwrap()].to_string())
        .collect()
}

/// An uninterrupted single-thread, single-process reference sweep.
fn reference(root: &Path) -> PathBuf {
    let dir = root.join("reference");
    sweep(&dir, &["--threads", "1"]);
    dir
}

fn count_lines(path: &Path) -> usize {
    std::fs::read(path)
        .map(|d| d.iter().filter(|&&b| b == b'\n').count())
        .unwrap_or(0)
}

#[test]
fn kill_and_resume_matches_uninterrupted_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = reference(tmp.path());
    let want = normalised(&reference.join("runs.jsonl"));
    assert_eq!(want.len(), N_RUNS);

    let dir = tmp.path().join("killed");
    let runs = dir.join("runs.jsonl");
    // Kill twice at different points, then finish.
    for kill_after in [8usize, 30] {
        let mut a: Vec<&str> = vec![
            "sweep",
            "--out",
            dir.to_str().unwrap(),
            "--no-progress",
            "--threads",
            "2",
            "--fake-sleep-ms",
            "20",
        ];
        a.extend_from_slice(GRID);
        let mut child = Command::new(BIN)
            .args(&a)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        while count_lines(&runs) < kill_after {
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "sweep made no progress"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let n = count_lines(&runs);
        assert!(n >= kill_after && n < N_RUNS, "killed with {n} records");
    }
    let o = sweep(&dir, &["--threads", "2"]);
    assert!(stderr(&o).contains("60 runs"), "{}", stderr(&o));
    assert_eq!(normalised(&runs), want);
    // A rerun of a finished sweep runs nothing and changes nothing.
    let before = std::fs::read(&runs).unwrap();
    let o = sweep(&dir, &["--threads", "2"]);
    assert!(
        stderr(&o).contains("60 already done, 0 run now"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&runs).unwrap(), before);
}

#[test]
fn records_do_not_depend_on_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = reference(tmp.path());
    let dir = tmp.path().join("t2");
    sweep(&dir, &["--threads", "2"]);
    assert_eq!(
        normalised(&dir.join("runs.jsonl")),
        normalised(&reference.join("runs.jsonl"))
    );
}

#[test]
fn shards_and_merge_equal_reference_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = reference(tmp.path());
    // The reference in canonical order (merge of one directory).
    let canon = tmp.path().join("canon");
    let o = run(&[
        "merge",
        canon.to_str().unwrap(),
        reference.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("merged 60 records"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 of the grid's 60 missing"),
        "{}",
        stderr(&o)
    );

    let shards: Vec<PathBuf> = (0..3).map(|i| tmp.path().join(format!("s{i}"))).collect();
    let mut sizes = Vec::new();
    for (i, d) in shards.iter().enumerate() {
        let spec = format!("{i}/3");
        sweep(d, &["--shard", &spec, "--threads", "2"]);
        sizes.push(count_lines(&d.join("runs.jsonl")));
    }
    assert_eq!(sizes, vec![20, 20, 20]);
    let merged = tmp.path().join("merged");
    let mut a = vec!["merge", merged.to_str().unwrap()];
    a.extend(shards.iter().map(|p| p.to_str().unwrap()));
    let o = run(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        in_order(&merged.join("runs.jsonl")),
        in_order(&canon.join("runs.jsonl"))
    );
    // Canonical order: lr descending, then delay, then seed.
    let first = &in_order(&merged.join("runs.jsonl"))[0];
    assert!(first.starts_with("{\"id\":\"nopost/lr=0.1/delay=0/seed=0\""));
    // The merged manifest is the preset's without a shard.
    let m = std::fs::read_to_string(merged.join("sweep.json")).unwrap();
    assert!(
        m.contains("\"shard\": null") && m.contains("test-tiny"),
        "{m}"
    );

    // Overlapping inputs: identical duplicates are dropped.
    let merged2 = tmp.path().join("merged2");
    let mut a = vec![
        "merge",
        merged2.to_str().unwrap(),
        reference.to_str().unwrap(),
    ];
    a.extend(shards.iter().map(|p| p.to_str().unwrap()));
    let o = run(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("60 identical duplicates"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        in_order(&merged2.join("runs.jsonl")),
        in_order(&canon.join("runs.jsonl"))
    );
    // Refuses to overwrite without --force.
    let o = run(&[
        "merge",
        merged2.to_str().unwrap(),
        reference.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));

    // Conflicting duplicates are an error.
    let s0 = shards[0].join("runs.jsonl");
    let text = std::fs::read_to_string(&s0).unwrap();
    let first = text.lines().next().unwrap();
    let class_pos = first.find("\"class\":").unwrap() + 8;
    let old = &first[class_pos..class_pos + 1];
    let new = if old == "0" { "1" } else { "0" };
    let changed = format!("{}{new}{}", &first[..class_pos], &first[class_pos + 1..]);
    std::fs::write(&s0, text.replacen(first, &changed, 1)).unwrap();
    let merged3 = tmp.path().join("merged3");
    let o = run(&[
        "merge",
        merged3.to_str().unwrap(),
        reference.to_str().unwrap(),
        shards[0].to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("conflicting records"), "{}", stderr(&o));
}

#[test]
fn truncated_last_line_is_cut_and_run_redone() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = reference(tmp.path());
    let dir = tmp.path().join("trunc");
    sweep(&dir, &["--threads", "2"]);
    let runs = dir.join("runs.jsonl");
    let data = std::fs::read(&runs).unwrap();
    // Cut the last record in half (as a kill during the write would).
    let last_start = data[..data.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    let cut = last_start + (data.len() - last_start) / 2;
    std::fs::write(&runs, &data[..cut]).unwrap();
    let o = sweep(&dir, &["--threads", "2"]);
    let e = stderr(&o);
    assert!(
        e.contains("line 60 was truncated") && e.contains("1 run now"),
        "{e}"
    );
    assert_eq!(normalised(&runs), normalised(&reference.join("runs.jsonl")));

    // `phase` and `merge` tolerate (and report) a truncated last line without changing it.
    std::fs::write(&runs, &data[..cut]).unwrap();
    let o = run(&["phase", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("incomplete last line 60"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&runs).unwrap(), &data[..cut]);
}

#[test]
fn corrupt_middle_line_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corrupt");
    sweep(&dir, &["--threads", "2"]);
    let runs = dir.join("runs.jsonl");
    let text = std::fs::read_to_string(&runs).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let half = &lines[4][..50].to_string();
    lines[4] = half;
    std::fs::write(&runs, lines.join("\n") + "\n").unwrap();
    for args in [
        {
            let mut a: Vec<&str> = vec!["sweep", "--out", dir.to_str().unwrap(), "--no-progress"];
            a.extend_from_slice(GRID);
            a
        },
        vec!["phase", dir.to_str().unwrap()],
        vec![
            "merge",
            tmp.path().join("m").to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
    ] {
        let o = Command::new(BIN).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let e = stderr(&o);
        assert!(
            e.starts_with("error: ") && e.contains("line 5") && e.contains("corrupt"),
            "{e}"
        );
        assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    }
}

#[test]
fn malformed_inputs_give_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("x");
    let ds = d.to_str().unwrap();
    let o_dir = tmp.path().join("o");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["sweep", "--preset", "nope", "--out", ds],
            "unknown preset 'nope'",
        ),
        (
            vec!["sweep", "--preset", "quick", "--out", ds, "--shard", "3/2"],
            "invalid shard: '3/2'",
        ),
        (
            vec!["sweep", "--preset", "quick", "--out", ds, "--shard", "0/0"],
            "invalid shard: '0/0'",
        ),
        (
            vec!["sweep", "--preset", "quick", "--out", ds, "--shard", "a/b"],
            "invalid shard: 'a/b'",
        ),
        (
            vec![
                "sweep",
                "--preset",
                "quick",
                "--out",
                ds,
                "--delays-ms",
                "30",
            ],
            "invalid delays-ms",
        ),
        (
            vec!["sweep", "--preset", "quick", "--out", ds, "--lrs", "0.1,-1"],
            "invalid lrs",
        ),
        (
            vec!["sweep", "--preset", "quick", "--out", ds, "--threads", "0"],
            "invalid threads",
        ),
        (
            vec![
                "sweep",
                "--preset",
                "quick",
                "--out",
                ds,
                "--executor",
                "gpu",
            ],
            "unknown executor 'gpu'",
        ),
        (vec!["phase", ds], "not a sweep directory"),
        (
            vec!["merge", o_dir.to_str().unwrap(), ds],
            "not a sweep directory",
        ),
    ];
    for (args, want) in cases {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let e = stderr(&o);
        assert!(
            e.starts_with("error: ") && e.contains(want),
            "{args:?}: {e}"
        );
    }
    assert!(
        !d.exists(),
        "a failed validation must not create the output directory"
    );

    // Manifest mismatch: resuming with other overrides is refused.
    sweep(&d, &[]);
    let mut a: Vec<&str> = vec!["sweep", "--out", ds, "--no-progress", "--epochs", "5"];
    a.extend_from_slice(GRID);
    let o = run(&a);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("different sweep"), "{}", stderr(&o));
    // ... and so is resuming one shard's directory as another shard.
    let o = run(&[
        "sweep",
        "--out",
        ds,
        "--no-progress",
        "--preset",
        "test-tiny",
        "--seeds",
        "10",
        "--executor",
        "fake",
        "--shard",
        "1/2",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("different sweep"), "{}", stderr(&o));
    // A directory with several experiments needs --experiment for `phase`.
    let o = run(&["phase", ds, "--experiment", "post"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no records of 'post'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn phase_table_counts_classes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    sweep(&dir, &["--threads", "2"]);
    let out = tmp.path().join("phase.csv");
    let o = run(&[
        "phase",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(&out).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("lr,delay_ms,n,not_learned,limit_cycle,slow_point")
    );
    // Independent count from the raw records.
    let text = std::fs::read_to_string(dir.join("runs.jsonl")).unwrap();
    let recs: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 6);
    let keys = [
        (0.1, 0),
        (0.1, 20),
        (0.1, 40),
        (0.01, 0),
        (0.01, 20),
        (0.01, 40),
    ];
    for (row, (lr, d)) in rows.iter().zip(keys) {
        let cell: Vec<&serde_json::Value> = recs
            .iter()
            .filter(|r| r["lr"].as_f64() == Some(lr) && r["delay_ms"].as_u64() == Some(d))
            .collect();
        let count = |cls: &[u64]| {
            cell.iter()
                .filter(|r| cls.contains(&r["class"].as_u64().unwrap()))
                .count()
        };
        let want = format!(
            "{lr},{d},{},{},{},{}",
            cell.len(),
            count(&[0, 3]),
            count(&[1]),
            count(&[2])
        );
        assert_eq!(*row, want);
    }
    // The scaling fits read the same file.
    let back = dynphase::fit::PhaseTable::read_csv(&out).unwrap();
    assert_eq!(back.to_csv_string(), csv);
}

#[test]
fn no_memory_phase_rows_have_empty_mechanism_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nm");
    let o = run(&[
        "sweep",
        "--preset",
        "no-memory",
        "--out",
        dir.to_str().unwrap(),
        "--executor",
        "fake",
        "--no-progress",
        "--seeds",
        "2",
        "--lrs",
        "1,0.001",
        "--delays-ms",
        "20,400",
        "--epochs",
        "10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["phase", dir.to_str().unwrap()]);
    let csv = String::from_utf8(o.stdout).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 4);
    assert!(
        rows[0].starts_with("1,20,2,") && rows.iter().all(|r| r.ends_with(",,")),
        "{csv}"
    );
}

#[test]
fn slurm_script_shards_merge_to_reference() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = reference(tmp.path());
    let canon = tmp.path().join("canon");
    assert!(run(&[
        "merge",
        canon.to_str().unwrap(),
        reference.to_str().unwrap()
    ])
    .status
    .success());
    let root = tmp.path().join("slurm");
    let script_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/slurm");
    let env = |c: &mut Command| {
        c.env("PRESET", "test-tiny")
            .env("NSHARDS", "4")
            .env("OUT", &root)
            .env("DYNPHASE", BIN)
            .env("SWEEP_ARGS", "--seeds 10 --executor fake")
            .env("SLURM_CPUS_PER_TASK", "1");
    };
    // The array tasks as separate processes, two at a time.
    let mut children = Vec::new();
    for id in 0..4 {
        let mut c = Command::new("bash");
        c.arg(script_dir.join("sweep_array.sbatch"))
            .env("SLURM_ARRAY_TASK_ID", id.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        env(&mut c);
        children.push(c.spawn().unwrap());
    }
    for mut ch in children {
        assert!(ch.wait().unwrap().success());
    }
    let mut c = Command::new("bash");
    c.arg(script_dir.join("finish.sh")).env("SCALING", "0");
    env(&mut c);
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        in_order(&root.join("merged/runs.jsonl")),
        in_order(&canon.join("runs.jsonl"))
    );
    let csv = std::fs::read_to_string(root.join("phase.csv")).unwrap();
    assert_eq!(csv.lines().count(), 7);
}
