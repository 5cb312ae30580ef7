//! Bit-identical training on every kernel path this CPU runs (AVX-512, AVX2, portable):
//! full-rank and rank-2 networks trained for a few hundred epochs under each path give the
//! same history and the same saved parameter files byte for byte; the command-line tool
//! honours `DYNPHASE_KERNEL` and rejects bad values.

use dynphase::io::network::{save_full_rank, save_rank2};
use dynphase::rnn::kernels::{with_kernel, Kernel};
use dynphase::rnn::model::{FullRankParams, Rank2Params};
use dynphase::rnn::task::{FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};
use dynphase::rnn::train::{train_full_rank, train_rank2, FullRankConfig, History, Rank2Config};
use std::process::Command;

fn history_bytes(h: &History) -> Vec<u8> {
    [&h.loss, &h.grad_norm, &h.accuracy, &h.reliability]
        .into_iter()
        .flat_map(|v| v.iter().flat_map(|x| x.to_le_bytes()))
        .collect()
}

/// Train a full-rank network (N = 24, DCDT 20 ms, η = 0.5, 300 epochs) and a rank-2 network
/// (N = 100, delayed activation 75 ms, η = 0.05, 300 epochs) on `kernel`; returns both
/// histories and both saved `.npz` files as bytes.
fn train_on(kernel: Kernel) -> Vec<Vec<u8>> {
    with_kernel(kernel, || {
        let dir = tempfile::tempdir().unwrap();
        let kind = FullRankTaskKind::Dcdt {
            delay_ms: 20,
            post: false,
            tau_ms: 10.0,
        };
        let task = FullRankTask::<f32>::new(kind, WindowMode::Reference).unwrap();
        let cfg = FullRankConfig::for_task(&kind, 0.5, 300, 5);
        let full =
            train_full_rank(FullRankParams::init(24, 5), task, &cfg, &mut |_, _| {}).unwrap();
        let task2 = Rank2Task::<f32>::from_ms(75.0, 10.0, 0.0).unwrap();
        let cfg2 = Rank2Config {
            lr: 0.05,
            epochs: 300,
            early_stop: None,
            snapshot_epochs: vec![],
        };
        let r2 = train_rank2(Rank2Params::init(100, 30), task2, &cfg2, &mut |_, _| {}).unwrap();
        let (a, b) = (dir.path().join("full.npz"), dir.path().join("rank2.npz"));
        save_full_rank(&a, &full.params).unwrap();
        save_rank2(&b, &r2.params).unwrap();
        assert!(full.history.loss.iter().all(|l| l.is_finite()));
        vec![
            history_bytes(&full.history),
            std::fs::read(&a).unwrap(),
            history_bytes(&r2.history),
            std::fs::read(&b).unwrap(),
        ]
    })
    .unwrap()
}

#[test]
fn every_path_trains_the_same_networks_byte_for_byte() {
    let paths = Kernel::supported_paths();
    eprintln!("kernel paths on this CPU: {paths:?}");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        assert_eq!(paths.len(), 3, "an AVX-512 CPU runs all three paths");
    }
    let base = train_on(Kernel::Portable);
    // The runs learn something (the comparison is not between constant histories).
    let loss = |b: &[u8], i: usize| f64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap());
    assert!(loss(&base[0], 299) < 0.5 * loss(&base[0], 0));
    for k in paths {
        let got = train_on(k);
        for (i, what) in [
            "full-rank history",
            "full-rank npz",
            "rank-2 history",
            "rank-2 npz",
        ]
        .iter()
        .enumerate()
        {
            assert!(
                got[i] == base[i],
                "{k}: {what} differs from the portable path"
            );
        }
    }
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dynphase"))
}

#[test]
fn dynphase_kernel_selects_the_path_and_rejects_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for k in Kernel::supported_paths() {
        let s = dir.path().join(format!("{k}.npz"));
        let h = dir.path().join(format!("{k}.csv"));
        let out = bin()
            .env("DYNPHASE_KERNEL", k.name())
            .args([
                "train",
                "--model",
                "full",
                "--task",
                "dcdt",
                "--delay-ms",
                "20",
            ])
            .args(["--lr", "0.1", "--seed", "3", "--epochs", "2"])
            .arg("--save")
            .arg(&s)
            .arg("--history")
            .arg(&h)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        files.push((std::fs::read(&s).unwrap(), std::fs::read(&h).unwrap()));
    }
    assert!(files.iter().all(|f| *f == files[0]));
    for (value, needle) in [("sse9", "unknown DYNPHASE_KERNEL path 'sse9'")]
        .into_iter()
        .chain(
            Kernel::ALL
                .into_iter()
                .filter(|k| !k.is_supported())
                .map(|k| (k.name(), "cannot run")),
        )
    {
        let out = bin()
            .env("DYNPHASE_KERNEL", value)
            .args([
                "train", "--model", "full", "--task", "dcdt", "--epochs", "1",
            ])
            .args(["--lr", "0.1"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle) && err.lines().count() == 1, "{err}");
    }
}
