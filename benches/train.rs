//! Trainer benchmarks: one full-rank DCDT epoch (N = 100, B = 128, delay 200 ms, L = 56),
//! its parts, one rank-2 epoch, and single-core sgemm throughput for the floor estimate
//! (3 × 2 N² B L ≈ 430 MFLOP per epoch).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dynphase::rnn::float::{gemm, gemm_nn};
use dynphase::rnn::full_rank::{EpochNoise, FullRankWorkspace};
use dynphase::rnn::model::{FullRankParams, Rank2Params};
use dynphase::rnn::rng::{self, Stream};
use dynphase::rnn::task::{FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};
use dynphase::rnn::train::{FullRankTrainer, Rank2Trainer};
use std::hint::black_box;

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

criterion_group!(benches, bench_full_rank, bench_rank2, bench_sgemm);
criterion_main!(benches);
