//! BPTT gradients against f64 central finite differences (docs/models.md), for every parameter
//! tensor of the full-rank (sigmoid and linear readout, with and without post) and rank-2
//! (with and without post) models. Noise is fixed: all evaluations use the same ξ, ε; the
//! finite differences are fourth-order central differences with h = 1e-4.

use dynphase::rnn::full_rank::{EpochNoise, FullRankWorkspace};
use dynphase::rnn::model::{FullRankParams, Rank2Params, FULL_RANK_NAMES, RANK2_NAMES};
use dynphase::rnn::rank2::Rank2Workspace;
use dynphase::rnn::rng::{self, Stream};
use dynphase::rnn::task::{FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};

const H: f64 = 1e-4;

/// Fourth-order central difference (8(f(h) − f(−h)) − (f(2h) − f(−2h)))/(12h).
fn central(f: &mut dyn FnMut(f64) -> f64) -> f64 {
    (8.0 * (f(H) - f(-H)) - (f(2.0 * H) - f(-2.0 * H))) / (12.0 * H)
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt();
    let den: f64 = b.iter().map(|y| y * y).sum::<f64>().sqrt();
    assert!(den > 1e-9, "gradient too small to test: {den}");
    num / den
}

fn check_full(kind: FullRankTaskKind, n: usize, batch: usize, seed: u64) {
    let task: FullRankTask<f64> = FullRankTask::new(kind, WindowMode::Reference)
        .unwrap()
        .with_batch(batch);
    let l = task.steps;
    // Larger-than-default weights so that the recurrent dynamics matter.
    let mut p: FullRankParams<f64> = FullRankParams::init(n, seed);
    for w in p.w_rec.iter_mut() {
        *w *= 4.0;
    }
    let mut noise = EpochNoise::new(n, batch, l);
    let mut rng = rng::stream(seed, Stream::Train);
    noise.draw(&mut rng, n, batch, l);
    // Larger noise than the model's 0.001 so that its path is exercised too.
    for v in noise.noise.iter_mut() {
        *v *= 100.0;
    }
    let mut ws = FullRankWorkspace::new(n, batch, l);
    let mut g = FullRankParams::zeros(n);
    let stats = ws.run(&p, &task, &noise, Some(&mut g));
    assert!(stats.loss > 0.0);
    for (ti, name) in FULL_RANK_NAMES.iter().enumerate() {
        let len = p.tensors()[ti].len();
        let fd: Vec<f64> = (0..len)
            .map(|k| {
                let mut f = |d: f64| {
                    let mut q = p.clone();
                    q.tensors_mut()[ti][k] += d;
                    ws.run(&q, &task, &noise, None).loss
                };
                central(&mut f)
            })
            .collect();
        let an = g.tensors()[ti].to_vec();
        let e = rel_err(&an, &fd);
        eprintln!("{kind:?} {name}: relative error {e:.2e}");
        assert!(e < 1e-6, "{kind:?} {name}: relative error {e:e}");
    }
}

#[test]
fn full_rank_sigmoid_no_post() {
    check_full(
        FullRankTaskKind::Dcdt {
            delay_ms: 20,
            post: false,
            tau_ms: 10.0,
        },
        6,
        4,
        1,
    );
}

#[test]
fn full_rank_sigmoid_post() {
    check_full(
        FullRankTaskKind::Dcdt {
            delay_ms: 20,
            post: true,
            tau_ms: 10.0,
        },
        7,
        4,
        2,
    );
}

#[test]
fn full_rank_sigmoid_long_tau_odd_batch() {
    check_full(
        FullRankTaskKind::Dcdt {
            delay_ms: 40,
            post: false,
            tau_ms: 20.0,
        },
        5,
        5,
        3,
    );
}

#[test]
fn full_rank_linear_readout() {
    check_full(FullRankTaskKind::NoMemory { window_ms: 40 }, 8, 4, 4);
}

fn check_rank2(task: Rank2Task<f64>, n: usize, seed: u64) {
    let mut p: Rank2Params<f64> = Rank2Params::init(n, seed);
    // Non-trivial bias and larger vectors than at init.
    for (i, b) in p.b.iter_mut().enumerate() {
        *b = 0.1 * ((i as f64) - 2.0);
    }
    for v in p.m.iter_mut().chain(p.n.iter_mut()) {
        *v *= 8.0;
    }
    let mut ws = Rank2Workspace::new(n, task.total());
    let mut g = p.clone();
    let (loss, norm) = ws.run(&p, &task, Some(&mut g));
    assert!(loss > 0.0 && norm > 0.0);
    let mut total_sq = 0.0;
    for (ti, name) in RANK2_NAMES.iter().take(5).enumerate() {
        let len = p.tensors()[ti].len();
        let fd: Vec<f64> = (0..len)
            .map(|k| {
                let mut f = |d: f64| {
                    let mut q = p.clone();
                    q.trainable_mut()[ti][k] += d;
                    ws.run(&q, &task, None).0
                };
                central(&mut f)
            })
            .collect();
        let an = g.trainable()[ti].to_vec();
        total_sq += an.iter().map(|x| x * x).sum::<f64>();
        let e = rel_err(&an, &fd);
        eprintln!("rank-2 T={} {name}: relative error {e:.2e}", task.total());
        assert!(e < 1e-6, "rank-2 {name}: relative error {e:e}");
    }
    assert!((total_sq.sqrt() - norm).abs() < 1e-12 * norm);
}

#[test]
fn rank2_no_post() {
    check_rank2(Rank2Task::from_steps(5, 2, 0).unwrap(), 6, 5);
}

#[test]
fn rank2_post() {
    check_rank2(Rank2Task::from_steps(4, 2, 6).unwrap(), 7, 6);
}

#[test]
fn full_rank_long_trial_spans_several_gemm_chunks() {
    // L = 76, B = 8: 608 (trial, step) columns, more than one 512-column GEMM chunk.
    check_full(
        FullRankTaskKind::Dcdt {
            delay_ms: 300,
            post: false,
            tau_ms: 10.0,
        },
        5,
        8,
        7,
    );
}

/// The f32 trainer (AVX-512 kernels where available) agrees with the f64 one on a full-size
/// DCDT epoch: same parameters and noise, loss to 1e-6 and every gradient tensor to 1e-5
/// (relative, Frobenius), the size of f32 rounding over 7,168-term sums.
#[test]
fn f32_epoch_matches_f64_epoch() {
    let kind = FullRankTaskKind::Dcdt {
        delay_ms: 200,
        post: false,
        tau_ms: 10.0,
    };
    let t32: FullRankTask<f32> = FullRankTask::new(kind, WindowMode::Reference).unwrap();
    let t64: FullRankTask<f64> = FullRankTask::new(kind, WindowMode::Reference).unwrap();
    let (n, b, l) = (100, 128, t32.steps);
    let p32 = FullRankParams::<f32>::init(n, 11);
    let p64: FullRankParams<f64> = p32.cast();
    let mut n32 = EpochNoise::<f32>::new(n, b, l);
    n32.draw(&mut rng::stream(11, Stream::Train), n, b, l);
    let mut n64 = EpochNoise::<f64>::new(n, b, l);
    n64.draw(&mut rng::stream(11, Stream::Train), n, b, l);
    let mut g32 = FullRankParams::zeros(n);
    let mut g64 = FullRankParams::zeros(n);
    let s32 = FullRankWorkspace::new(n, b, l).run(&p32, &t32, &n32, Some(&mut g32));
    let s64 = FullRankWorkspace::new(n, b, l).run(&p64, &t64, &n64, Some(&mut g64));
    assert!(
        (s32.loss - s64.loss).abs() / s64.loss < 1e-6,
        "{} {}",
        s32.loss,
        s64.loss
    );
    assert_eq!(s32.accuracy, s64.accuracy);
    for (k, name) in FULL_RANK_NAMES.iter().enumerate() {
        let a: Vec<f64> = g32.tensors()[k].iter().map(|&x| x as f64).collect();
        let e = rel_err(&a, g64.tensors()[k]);
        eprintln!("f32 vs f64 {name}: {e:.2e}");
        assert!(e < 1e-5, "{name}: {e:e}");
    }
}
