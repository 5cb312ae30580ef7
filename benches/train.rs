//! Trainer benchmarks: one full-rank DCDT epoch (N = 100, B = 128, delay 200 ms, L = 56),
//! its parts (noise, forward, forward + backward), one rank-2 epoch, and single-core sgemm
//! throughput. After the criterion groups, `efficiency` times the epoch and the trainer's own
//! 128×100×100 product in the same run and prints the sgemm floor of the epoch
//! (3 × 2 N² B L ≈ 430 MFLOP at that product's speed) and the epoch's efficiency against it.
//! `DYNPHASE_KERNEL` selects the kernel path as for the trainer.

use criterion::{criterion_group, Criterion, Throughput};
use dynphase::rnn::float::{gemm, gemm_nn};
use dynphase::rnn::full_rank::{EpochNoise, FullRankWorkspace};
use dynphase::rnn::model::{FullRankParams, Rank2Params};
use dynphase::rnn::rng::{self, Stream};
use dynphase::rnn::task::{FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};
use dynphase::rnn::train::{FullRankTrainer, Rank2Trainer};
use std::hint::black_box;
use std::time::Instant;

fn dcdt() -> FullRankTask<f32> {
    FullRankTask::new(
        FullRankTaskKind::Dcdt {
            delay_ms: 200,
            post: false,
            tau_ms: 10.0,
        },
        WindowMode::Reference,
    )
    .unwrap()
}

fn bench_full_rank(c: &mut Criterion) {
    let task = dcdt();
    assert_eq!(task.steps, 56);
    let p = FullRankParams::<f32>::init(100, 0);
    let mut tr = FullRankTrainer::new(p.clone(), task.clone(), 0.1, 0).unwrap();
    let mut g = c.benchmark_group("full_rank_dcdt_200ms");
    g.throughput(Throughput::Elements(1));
    g.bench_function("epoch", |b| b.iter(|| black_box(tr.step())));
    let mut noise = EpochNoise::<f32>::new(100, 128, 56);
    let mut r = rng::stream(0, Stream::Train);
    g.bench_function("noise_draw", |b| {
        b.iter(|| noise.draw(&mut r, 100, 128, 56));
    });
    let mut ws = FullRankWorkspace::<f32>::new(100, 128, 56);
    let mut grads = FullRankParams::<f32>::zeros(100);
    g.bench_function("forward_only", |b| {
        b.iter(|| black_box(ws.run(&p, &task, &noise, None)))
    });
    g.bench_function("forward_backward", |b| {
        b.iter(|| black_box(ws.run(&p, &task, &noise, Some(&mut grads))))
    });
    g.finish();
}

fn bench_rank2(c: &mut Criterion) {
    let task = Rank2Task::<f32>::from_ms(75.0, 10.0, 0.0).unwrap();
    let p = Rank2Params::<f32>::init(100, 30);
    let mut tr = Rank2Trainer::new(p, task, 1e-4).unwrap();
    c.bench_function("rank2_epoch_T15_R2", |b| b.iter(|| black_box(tr.step())));
}

fn bench_sgemm(c: &mut Criterion) {
    let mut g = c.benchmark_group("sgemm");
    // Machine reference: matrixmultiply's sgemm on a 512³ product.
    let a = vec![0.5f32; 512 * 512];
    let x = vec![0.25f32; 512 * 512];
    let mut y = vec![0.0f32; 512 * 512];
    g.throughput(Throughput::Elements(2 * 512 * 512 * 512));
    g.bench_function("matrixmultiply_512^3 (flop)", |b| {
        b.iter(|| gemm(512, 512, 512, 1.0, &a, false, &x, false, 0.0, &mut y))
    });
    // The trainer's per-step shape (B×N)·(N×N) with its own kernel.
    let r = vec![0.25f32; 128 * 100];
    let w = vec![0.01f32; 100 * 100];
    let mut z = vec![0.0f32; 128 * 100];
    g.throughput(Throughput::Elements(2 * 128 * 100 * 100));
    g.bench_function("step_128x100x100 (flop)", |b| {
        b.iter(|| unsafe {
            gemm_nn(
                128,
                100,
                100,
                r.as_ptr(),
                100,
                1,
                w.as_ptr(),
                100,
                z.as_mut_ptr(),
                100,
                false,
            )
        })
    });
    g.bench_function("matrixmultiply_step_128x100x100 (flop)", |b| {
        b.iter(|| gemm(128, 100, 100, 1.0, &r, false, &w, false, 0.0, &mut z))
    });
    // The gradient shape Eᵀ R over 7,168 rows.
    let e = vec![0.5f32; 7168 * 100];
    let rr = vec![0.25f32; 7168 * 100];
    let mut dw = vec![0.0f32; 100 * 100];
    g.throughput(Throughput::Elements(2 * 100 * 100 * 7168));
    g.bench_function("grad_100x100x7168 (flop)", |b| {
        b.iter(|| {
            for c0 in (0..7168).step_by(512) {
                unsafe {
                    gemm_nn(
                        100,
                        100,
                        512,
                        e.as_ptr().add(c0 * 100),
                        1,
                        100,
                        rr.as_ptr().add(c0 * 100),
                        100,
                        dw.as_mut_ptr(),
                        100,
                        c0 > 0,
                    )
                }
            }
        })
    });
    g.finish();
}

/// Best time per call of `f` over 7 rounds of `reps` calls, in seconds.
fn best_of(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..7)
        .map(|_| {
            let t0 = Instant::now();
            for _ in 0..reps {
                f();
            }
            t0.elapsed().as_secs_f64() / reps as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// The epoch against the sgemm floor, measured back to back in this run.
fn efficiency() {
    let task = dcdt();
    let (n, b, l) = (100, task.batch, task.steps);
    let mut tr = FullRankTrainer::new(FullRankParams::<f32>::init(n, 0), task, 0.01, 0).unwrap();
    let r = vec![0.25f32; b * n];
    let w = vec![0.01f32; n * n];
    let mut z = vec![0.0f32; b * n];
    let gemm = || unsafe {
        gemm_nn(
            b,
            n,
            n,
            r.as_ptr(),
            n,
            1,
            w.as_ptr(),
            n,
            z.as_mut_ptr(),
            n,
            false,
        )
    };
    let mut gemm = gemm;
    for _ in 0..3 {
        black_box(tr.step());
    }
    let t_gemm = best_of(2000, &mut gemm);
    let t_epoch = best_of(20, || {
        black_box(tr.step());
    });
    let t_gemm2 = best_of(2000, &mut gemm);
    let t_gemm = t_gemm.min(t_gemm2);
    let flop = 2.0 * (b * n * n) as f64;
    let floor = 3.0 * l as f64 * t_gemm;
    println!(
        "efficiency ({} path): epoch {:.3} ms (best of 7×20), sgemm 128x100x100 {:.1} GFLOP/s, \
         floor 3×2N²BL = {:.3} ms, efficiency {:.2}",
        dynphase::rnn::kernels::current(),
        1e3 * t_epoch,
        flop / t_gemm / 1e9,
        1e3 * floor,
        floor / t_epoch
    );
}

criterion_group!(benches, bench_full_rank, bench_rank2, bench_sgemm);

fn main() {
    benches();
    efficiency();
    Criterion::default().configure_from_args().final_summary();
}
