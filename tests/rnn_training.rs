//! Optimiser semantics, initialisation, determinism across thread counts and training rules.

use dynphase::rnn::model::{FullRankParams, Rank2Params};
use dynphase::rnn::optim::SgdMomentum;
use dynphase::rnn::task::{FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};
use dynphase::rnn::train::{
    train_full_rank, train_rank2, FullRankConfig, FullRankTrainer, Rank2Config,
};
use rayon::prelude::*;

#[test]
fn sgd_momentum_matches_hand_computed_pytorch_update() {
    // θ0 = (1, −2), η = 0.1, μ = 0.9, λ = 1e-7; g1 = (0.5, 0.25), g2 = (−0.3, 0.125).
    // Step 1: v = g1 + λθ0 = (0.5000001, 0.2499998); θ1 = θ0 − ηv = (0.94999999, −2.02499998).
    // Step 2: v = 0.9v + g2 + λθ1 = (0.150000185, 0.3499996175);
    //         θ2 = θ1 − ηv = (0.9349999715, −2.05999994175).
    let mut opt = SgdMomentum::<f64>::paper(0.1);
    let mut th = vec![1.0, -2.0];
    opt.step(&mut [&mut th], &[&[0.5, 0.25]]);
    assert!((th[0] - 0.94999999).abs() < 1e-15 && (th[1] + 2.02499998).abs() < 1e-15);
    opt.step(&mut [&mut th], &[&[-0.3, 0.125]]);
    assert!((th[0] - 0.9349999715).abs() < 1e-15, "{}", th[0]);
    assert!((th[1] + 2.05999994175).abs() < 1e-15, "{}", th[1]);
    assert!((opt.velocity()[0][0] - 0.150000185).abs() < 1e-14);
    assert!((opt.velocity()[0][1] - 0.3499996175).abs() < 1e-14);
}

fn small_dcdt(delay_ms: u32, batch: usize) -> FullRankTask<f64> {
    FullRankTask::new(
        FullRankTaskKind::Dcdt {
            delay_ms,
            post: false,
            tau_ms: 10.0,
        },
        WindowMode::Reference,
    )
    .unwrap()
    .with_batch(batch)
}

#[test]
fn trainer_applies_momentum_and_weight_decay_to_its_gradients() {
    let p0 = FullRankParams::<f64>::init(8, 3);
    let lr = 0.05;
    let mut tr = FullRankTrainer::new(p0.clone(), small_dcdt(20, 4), lr, 3).unwrap();
    tr.step();
    let g1 = tr.last_gradients().clone();
    let p1 = tr.params.clone();
    for ((a, b), g) in p1.w_rec.iter().zip(&p0.w_rec).zip(&g1.w_rec) {
        let want = b - lr * (g + 1e-7 * b);
        assert!((a - want).abs() < 1e-15);
    }
    tr.step();
    let g2 = tr.last_gradients().clone();
    for (((a, b), g), (c, h)) in tr
        .params
        .b_out
        .iter()
        .zip(&p1.b_out)
        .zip(&g2.b_out)
        .zip(p0.b_out.iter().zip(&g1.b_out))
    {
        let v1 = h + 1e-7 * c;
        let v2 = 0.9 * v1 + g + 1e-7 * b;
        assert!((a - (b - lr * v2)).abs() < 1e-15);
    }
    // The logged norm is ‖∂L/∂W_rec‖_F without weight decay.
    let norm = g2.w_rec.iter().map(|x| x * x).sum::<f64>().sqrt();
    assert_eq!(tr.history.grad_norm[1], norm);
}

#[test]
fn initialisation_bounds_and_counts() {
    let p = FullRankParams::<f32>::init(100, 0);
    assert_eq!(p.num_params(), 10_602);
    let maxabs = |v: &[f32]| v.iter().fold(0f32, |m, x| m.max(x.abs()));
    // docs/models.md bounds: 0.242536, 0.70711 (= 1/√2), 0.173205, 0.1, 0.242536, 0.1.
    let bounds = [
        0.242536,
        std::f64::consts::FRAC_1_SQRT_2,
        0.173205,
        0.1,
        0.242536,
        0.1,
    ];
    for (t, b) in p.tensors().iter().zip(bounds) {
        let m = maxabs(t);
        assert!(m <= b as f32 + 1e-6, "{m} > {b}");
    }
    // 9,900 off-diagonal draws: the max is within 0.2 % of the bound; variance a²/3.
    assert!(maxabs(&p.w_rec) > 0.998 * 0.173205);
    let var = p.w_rec.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / 9900.0;
    assert!(
        (var - 0.173205f64.powi(2) / 3.0).abs() < 0.03 * 0.01,
        "{var}"
    );
    for i in 0..100 {
        assert_eq!(p.w_rec[i * 100 + i], 0.0);
    }
    assert_eq!(p, FullRankParams::<f32>::init(100, 0));
    assert_ne!(p, FullRankParams::<f32>::init(100, 1));
    let q = Rank2Params::<f32>::init(100, 30);
    assert_eq!(q.num_params(), 503);
    assert!(q.b.iter().all(|&b| b == 0.0));
    let sd = (q.m.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / 200.0).sqrt();
    assert!((sd - 0.1).abs() < 0.015, "{sd}");
}

fn run_pair(threads: usize) -> Vec<(Vec<f64>, Vec<f64>, Vec<f32>)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        (0..3u64)
            .into_par_iter()
            .map(|seed| {
                let task: FullRankTask<f32> = FullRankTask::new(
                    FullRankTaskKind::Dcdt {
                        delay_ms: 40,
                        post: false,
                        tau_ms: 10.0,
                    },
                    WindowMode::Reference,
                )
                .unwrap();
                let cfg = FullRankConfig::for_task(&task.kind, 0.1, 15, seed);
                let run =
                    train_full_rank(FullRankParams::init(100, seed), task, &cfg, &mut |_, _| {})
                        .unwrap();
                (run.history.loss, run.history.accuracy, run.params.w_rec)
            })
            .collect()
    })
}

#[test]
fn same_seed_gives_identical_history_with_one_and_two_threads() {
    let a = run_pair(1);
    let b = run_pair(2);
    assert_eq!(a.len(), 3);
    for (x, y) in a.iter().zip(&b) {
        assert!(x
            .0
            .iter()
            .zip(&y.0)
            .all(|(p, q)| p.to_bits() == q.to_bits()));
        assert_eq!(x.1, y.1);
        assert!(x
            .2
            .iter()
            .zip(&y.2)
            .all(|(p, q)| p.to_bits() == q.to_bits()));
    }
    // Different seeds differ.
    assert_ne!(a[0].0, a[1].0);
}

#[test]
fn rank2_early_stop_ends_on_first_value_below_threshold() {
    let task = Rank2Task::<f32>::from_steps(6, 2, 0).unwrap();
    let cfg = Rank2Config {
        lr: 1.0,
        epochs: 20_000,
        early_stop: Some(0.5),
        snapshot_epochs: vec![0, 3],
    };
    let p = Rank2Params::<f32>::init(100, 30);
    let run = train_rank2(p.clone(), task, &cfg, &mut |_, _| {}).unwrap();
    let h = &run.history.loss;
    let e = run.stopped_at.expect("reaches half the initial loss");
    assert_eq!(h.len(), e + 1);
    assert!(h[e] / h[0] < 0.5);
    assert!(h[..e].iter().all(|&l| l / h[0] >= 0.5));
    assert_eq!(run.snapshots[0].0, 0);
    assert_eq!(run.snapshots[0].1, p);
}

#[test]
fn no_memory_abort_rule_fires_on_divergence() {
    // A huge learning rate on the linear-readout task diverges: the run stops at the first
    // epoch whose loss pushes max(loss) above 100.
    let task: FullRankTask<f32> = FullRankTask::new(
        FullRankTaskKind::NoMemory { window_ms: 20 },
        WindowMode::Reference,
    )
    .unwrap();
    let cfg = FullRankConfig::for_task(&task.kind, 50.0, 200, 0);
    assert_eq!(cfg.abort_above, Some(100.0));
    let run = train_full_rank(FullRankParams::init(100, 0), task, &cfg, &mut |_, _| {}).unwrap();
    let h = &run.history.loss;
    assert!(run.aborted);
    assert!(*h.last().unwrap() > 100.0);
    assert!(h[..h.len() - 1].iter().all(|&l| l <= 100.0));
}

#[test]
fn single_trial_simulators_match_the_batched_trainer() {
    use dynphase::rnn::full_rank::{EpochNoise, FullRankWorkspace};
    use dynphase::rnn::model::{rank2_rollout, simulate_trial_noise_free};
    use dynphase::rnn::rank2::Rank2Workspace;
    // Full-rank, noise off: trial 0 of the batch (class 0) equals the single-trial rollout.
    let task = small_dcdt(40, 2);
    let (n, l) = (12, task.steps);
    let p = FullRankParams::<f64>::init(n, 5);
    let mut noise = EpochNoise::<f64>::new(n, 2, l);
    for (k, v) in noise.r0.iter_mut().enumerate() {
        *v = 0.05 * ((k as f64) * 0.7).sin();
    }
    let mut ws = FullRankWorkspace::new(n, 2, l);
    ws.run(&p, &task, &noise, None);
    let inputs: Vec<[f64; 2]> = (0..l).map(|t| task.inputs[2 * t]).collect();
    let single = simulate_trial_noise_free(&p, task.alpha, &inputs, &noise.r0[..n]);
    for t in 0..l {
        for i in 0..n {
            let batched = ws.rates()[((t + 1) * 2) * n + i];
            assert!((batched - single[t * n + i]).abs() < 1e-12, "t {t} i {i}");
        }
    }
    // Rank-2: the rollout reproduces the trainer's latents and outputs exactly.
    let q = Rank2Params::<f32>::init(100, 30);
    let t2 = Rank2Task::<f32>::from_steps(15, 2, 0).unwrap();
    let mut w2 = Rank2Workspace::new(100, 17);
    w2.run(&q, &t2, None);
    let roll = rank2_rollout(&q, 0.5, 51);
    assert_eq!(&roll.kappa[..18], w2.kappa());
    assert_eq!(&roll.output[..17], w2.outputs());
    assert_eq!(roll.x.len(), 52 * 100);
}
