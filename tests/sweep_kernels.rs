//! Shards from "mixed nodes": a sweep of real training whose shards run on different trainer
//! kernel paths (`DYNPHASE_KERNEL=avx512|avx2|portable`, as on nodes of different CPU
//! generations), resumed on another path, merges into records identical to one
//! single-process sweep; a conflict between shards of different paths names the paths.

use std::path::Path;
use std::process::{Command, Output};

use dynphase::rnn::kernels::Kernel;

const BIN: &str = env!("CARGO_BIN_EXE_dynphase");
/// 2 lrs × 2 delays × 2 seeds = 8 networks of 10 epochs (the portable path is slow: it is
/// the fallback for CPUs without AVX2/FMA, with software fused multiply-adds).
const GRID: &[&str] = &[
    "--preset",
    "test-tiny",
    "--delays-ms",
    "0,20",
    "--seeds",
    "2",
    "--epochs",
    "10",
    "--no-progress",
    "--threads",
    "1",
];

fn run(args: &[&str], kernel: Option<&str>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args);
    match kernel {
        Some(k) => c.env("DYNPHASE_KERNEL", k),
        None => c.env_remove("DYNPHASE_KERNEL"),
    };
    let o = c.output().expect("binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn sweep(dir: &Path, shard: Option<&str>, kernel: Option<&str>) {
    let mut a = vec!["sweep", "--out", dir.to_str().unwrap()];
    if let Some(s) = shard {
        a.extend(["--shard", s]);
    }
    a.extend_from_slice(GRID);
    run(&a, kernel);
}

/// The lines of a runs.jsonl without `wall_s`, in file order.
fn lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("runs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| l[..l.rfind(",\"wall_s\":").unwrap()].to_string())
        .collect()
}

fn kernel_field(dir: &Path) -> String {
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap();
    m["kernel"].as_str().unwrap_or_default().to_string()
}

#[test]
fn shards_on_different_kernel_paths_merge_to_the_single_run() {
    let paths: Vec<&str> = Kernel::supported_paths().iter().map(|k| k.name()).collect();
    eprintln!("kernel paths on this CPU: {paths:?}");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        assert_eq!(paths, ["avx512", "avx2", "portable"]);
    }
    let tmp = tempfile::tempdir().unwrap();
    let single = tmp.path().join("single");
    sweep(&single, None, None);
    let canon = tmp.path().join("canon");
    run(
        &[
            "merge",
            "--out",
            canon.to_str().unwrap(),
            single.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(lines(&canon).len(), 8);

    // Four shards of two networks, shard i on path i mod (paths this CPU runs).
    let shard = |i: usize| tmp.path().join(format!("shard-{i}"));
    let path_of = |i: usize| paths[i % paths.len()];
    for i in 0..4 {
        sweep(&shard(i), Some(&format!("{i}/4")), Some(path_of(i)));
        assert_eq!(kernel_field(&shard(i)), path_of(i));
    }
    // Shard 0 is "requeued onto another node": cut to 1 record, resumed on the next path.
    let runs0 = shard(0).join("runs.jsonl");
    let text = std::fs::read_to_string(&runs0).unwrap();
    let keep: String = text.split_inclusive('\n').take(1).collect();
    std::fs::write(&runs0, keep).unwrap();
    let other = path_of(1);
    sweep(&shard(0), Some("0/4"), Some(other));
    assert_eq!(lines(&shard(0)).len(), 2);
    if other != path_of(0) {
        assert_eq!(kernel_field(&shard(0)), format!("{},{other}", path_of(0)));
    }

    let merged = tmp.path().join("merged");
    let dirs: Vec<String> = (0..4)
        .map(|i| shard(i).to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["merge", "--out", merged.to_str().unwrap()];
    args.extend(dirs.iter().map(String::as_str));
    run(&args, None);
    assert_eq!(lines(&merged), lines(&canon));
    let merged_kernels = kernel_field(&merged);
    let mut used: Vec<&str> = merged_kernels.split(',').map(str::trim).collect();
    used.sort();
    let mut want: Vec<&str> = (0..4).map(path_of).collect();
    want.sort();
    want.dedup();
    assert_eq!(used, want);

    // `status` sees one sweep in shards of mixed paths.
    let mut args = vec!["status"];
    args.extend(dirs.iter().map(String::as_str));
    let o = run(&args, None);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("missing"), "{out}");
    assert!(out.contains("overall: 8/8 done (100.0%), 0 left"), "{out}");
}

fn set_field(dir: &Path, from: &str, to: &str) {
    let p = dir.join("sweep.json");
    let s = std::fs::read_to_string(&p).unwrap();
    assert!(s.contains(from), "{s}");
    std::fs::write(&p, s.replace(from, to)).unwrap();
}

#[test]
fn merge_explains_kernel_and_stream_differences() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let fake = |dir: &Path, kernel: &str| {
        run(
            &[
                "sweep",
                "--out",
                dir.to_str().unwrap(),
                "--preset",
                "test-tiny",
                "--executor",
                "fake",
                "--no-progress",
            ],
            Some(kernel),
        )
    };
    fake(&a, "portable");
    fake(&b, "portable");
    assert_eq!(kernel_field(&a), "portable");
    // b as if computed on another node, with one record that differs.
    set_field(&b, "\"kernel\": \"portable\"", "\"kernel\": \"avx512\"");
    let runs = b.join("runs.jsonl");
    let text = std::fs::read_to_string(&runs).unwrap();
    let first = text.lines().next().unwrap();
    let at = first.find("\"final_loss\":").unwrap() + "\"final_loss\":".len();
    let changed = format!("{}9{}", &first[..at], &first[at..]);
    std::fs::write(&runs, text.replacen(first, &changed, 1)).unwrap();
    let out = tmp.path().join("out");
    let merge = || {
        Command::new(BIN)
            .args(["merge", "--out", out.to_str().unwrap()])
            .arg(&a)
            .arg(&b)
            .output()
            .unwrap()
    };
    let o = merge();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("conflicting records for nopost/")
            && e.contains("trained on different kernel paths (avx512 here, portable there)"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");

    // Records of an older random-stream version: said before any record is compared.
    set_field(&b, "\"stream_version\": 2", "\"stream_version\": 1");
    let o = merge();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("holds records drawn from random-stream version 1")
            && e.contains("from version 2"),
        "{e}"
    );
    assert!(!out.exists());
}
