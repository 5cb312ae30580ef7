//! Benchmarks of the mechanism analysis: fixed/slow-point search on an N = 100 network, the
//! spectral index of an extended trial, the periodic orbit of an N = 100 network and the
//! bifurcation scan over 20 checkpoints of a training run.

use criterion::{criterion_group, criterion_main, Criterion};
use dynphase::analysis::classify::{extended_trial_rates, ClassifierPost, ClassifyConfig};
use dynphase::analysis::field::{euler_rollout, TanhRnnField};
use dynphase::analysis::fixed_points::{
    find_critical_points, starts_from_trajectory, FixedPointConfig,
};
use dynphase::analysis::index::{index_from_signs_fft2, mechanism_index};
use dynphase::analysis::studies::full_rank_agreement_study;
use dynphase::rnn::FullRankParams;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::hint::black_box;

/// A realistic random network: W ~ N(0, g²/N) with g = 1.5, b ~ U(±0.1), N = 100.
fn random_field(g: f64, seed: u64) -> TanhRnnField {
    let n = 100;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let w: Vec<f64> = (0..n * n)
        .map(|_| g / (n as f64).sqrt() * rng.sample::<f64, _>(StandardNormal))
        .collect();
    let b: Vec<f64> = (0..n).map(|_| rng.random_range(-0.1..0.1)).collect();
    TanhRnnField::new(w, b).unwrap()
}

fn bench_fixed_points(c: &mut Criterion) {
    let field = random_field(1.5, 1);
    let x0: Vec<f64> = (0..100).map(|i| 0.3 * ((i as f64) * 0.7).sin()).collect();
    let traj = euler_rollout(&field, &x0, 0.5, 400);
    // 32 trajectory starts + 32 perturbed copies = 64 minimisations.
    let starts = starts_from_trajectory(&traj, 100, 32);
    let cfg = FixedPointConfig::default();
    let mut g = c.benchmark_group("fixed_points");
    g.sample_size(10);
    g.bench_function("random_g1.5_N100_64_starts", |b| {
        b.iter(|| black_box(find_critical_points(&field, &starts, &cfg).unwrap()))
    });
    // Untrained paper network (Xavier init, seed 0): starts along its extended trial.
    let p = FullRankParams::<f32>::init(100, 0);
    let rates = extended_trial_rates(&p, 0.5, 40, ClassifierPost::Exclude, 0).unwrap();
    let f2 = TanhRnnField::from_params(&p).unwrap();
    let s2 = starts_from_trajectory(&rates, 100, 32);
    g.bench_function("paper_init_N100_64_starts", |b| {
        b.iter(|| black_box(find_critical_points(&f2, &s2, &cfg).unwrap()))
    });
    // A trained network (DCDT, delay 100 ms, lr 0.1, seed 0, 1000 epochs; a slow-point
    // network, index 0.75): starts along its extended trial, as `dynphase fixed-points` does.
    let net = full_rank_agreement_study(&[(100, 0.1, 0)], 1000, &ClassifyConfig::default())
        .unwrap()
        .remove(0);
    let rates = extended_trial_rates(&net.params, 0.5, 20, ClassifierPost::Exclude, 0).unwrap();
    let f3 = TanhRnnField::from_params(&net.params).unwrap();
    let s3 = starts_from_trajectory(&rates, 100, 32);
    g.bench_function("trained_dcdt100_N100_64_starts", |b| {
        b.iter(|| black_box(find_critical_points(&f3, &s3, &cfg).unwrap()))
    });
    g.finish();
}

fn bench_index(c: &mut Criterion) {
    // Longest no-post trial (delay 400 ms: L = 96, T_ext = 864) with N = 100.
    let p = FullRankParams::<f32>::init(100, 3);
    let rates = extended_trial_rates(&p, 0.5, 80, ClassifierPost::Exclude, 3).unwrap();
    let t = rates.len() / 100;
    let mut g = c.benchmark_group("index");
    g.bench_function("mechanism_index_T864_N100", |b| {
        b.iter(|| black_box(mechanism_index(&rates, t, 100).unwrap().index))
    });
    let s = mechanism_index(&rates, t, 100).unwrap().signs;
    g.sample_size(10);
    g.bench_function("fft2_path_T864", |b| {
        b.iter(|| black_box(index_from_signs_fft2(&s)))
    });
    g.finish();
}

fn bench_orbits(c: &mut Criterion) {
    use dynphase::analysis::orbits::{find_orbit, rank2_dense, ring_rank2, OrbitConfig};
    // The N = 100 ring network with a closed-form cycle (period 2π/tan ψ = 6.28 τ): settling
    // from the start, first-return period estimate, chord-Newton shooting with 400 RK4 steps
    // per period, and the 100 Floquet multipliers.
    let (m, n) = ring_rank2(100, 1.0, 4.0, std::f64::consts::FRAC_PI_4);
    let field = TanhRnnField::new(rank2_dense(&m, &n), vec![0.0; 100]).unwrap();
    let start: Vec<f64> = (0..100).map(|i| (0.5 * m[i * 2]).tanh()).collect();
    let cfg = OrbitConfig::default();
    let mut g = c.benchmark_group("orbits");
    g.sample_size(10);
    g.bench_function("ring_N100_orbit_and_multipliers", |b| {
        b.iter(|| black_box(find_orbit(&field, &start, &cfg).unwrap().unwrap().period))
    });
    g.finish();
}

/// The full-rank run of docs/dynamics.md that switches by a Hopf bifurcation: DCDT, delay
/// 200 ms, lr 0.1, seed 0, 1000 epochs, checkpoints every 50 epochs (20: epochs 0 … 950).
fn hopf_run() -> (Vec<(usize, FullRankParams<f32>)>, FullRankParams<f32>) {
    use dynphase::rnn::task::{FullRankTask, FullRankTaskKind, WindowMode};
    use dynphase::rnn::train::{train_full_rank, FullRankConfig};
    let kind = FullRankTaskKind::Dcdt {
        delay_ms: 200,
        post: false,
        tau_ms: 10.0,
    };
    let task = FullRankTask::<f32>::new(kind, WindowMode::Reference).unwrap();
    let mut cfg = FullRankConfig::for_task(&kind, 0.1, 1000, 0);
    cfg.checkpoint_every = 50;
    let run = train_full_rank(
        FullRankParams::<f32>::init(100, 0),
        task,
        &cfg,
        &mut |_, _| {},
    )
    .unwrap();
    (run.checkpoints, run.params)
}

fn bench_bifurcations(c: &mut Criterion) {
    use dynphase::analysis::bifurcation::{scan_full_rank, ContinuationConfig};
    use dynphase::analysis::classify::classifier_trial_len;
    use dynphase::analysis::orbits::{find_orbit, OrbitConfig};
    let (checkpoints, last) = hopf_run();
    assert_eq!(checkpoints.len(), 20);
    // One core, as the speed target is stated.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut g = c.benchmark_group("bifurcations");
    g.sample_size(10);
    // The trained network's cycle (period 305 ms) from the end of its trial.
    let nd = 40;
    let field = TanhRnnField::from_params(&last).unwrap();
    let rates = extended_trial_rates(&last, 0.5, nd, ClassifierPost::Exclude, 0).unwrap();
    let l = classifier_trial_len(nd, ClassifierPost::Exclude);
    let end = rates[(l - 1) * 100..l * 100].to_vec();
    g.bench_function("trained_dcdt200_N100_orbit", |b| {
        b.iter(|| {
            pool.install(|| {
                black_box(
                    find_orbit(&field, &end, &OrbitConfig::default())
                        .unwrap()
                        .unwrap()
                        .period,
                )
            })
        })
    });
    g.bench_function("scan_20_checkpoints_N100", |b| {
        b.iter(|| {
            pool.install(|| {
                black_box(
                    scan_full_rank(
                        &checkpoints,
                        0.5,
                        nd,
                        0,
                        &FixedPointConfig::default(),
                        &ContinuationConfig::default(),
                    )
                    .unwrap()
                    .events
                    .len(),
                )
            })
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_fixed_points,
    bench_index,
    bench_orbits,
    bench_bifurcations
);
criterion_main!(benches);
