//! The paper's seed-30 rank-2 network (tests/data/rank2_seed30_init.json) trained on the
//! Fig 2 task (T_delay = 15, T_resp = 2 steps, plain SGD, η = 0.1) reproduces the reference's
//! logged f32 loss and gradient norm (docs/training.md, "Agreement with the reference") to 1e-5 relative.

use dynphase::io::network::load_rank2;
use dynphase::rnn::task::Rank2Task;
use dynphase::rnn::train::{train_rank2, Rank2Config};
use std::path::Path;

const TABLE: [(usize, f64, f64); 10] = [
    (0, 0.05269467086, 0.007299239178),
    (1, 0.05268935487, 0.007280760745),
    (2, 0.05268406123, 0.007262321637),
    (10, 0.0526426658, 0.007116356035),
    (100, 0.05227664486, 0.005656447741),
    (500, 0.05171330646, 0.002308579853),
    (1000, 0.05151781067, 0.002048846),
    (1500, 0.05114659294, 0.003719432983),
    (1900, 0.04868897796, 0.01708424738),
    (2000, 0.03877969459, 0.04811385993),
];

#[test]
fn seed30_rank2_matches_reference_log() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rank2_seed30_init.json");
    let p = load_rank2(&path).unwrap();
    assert_eq!(p.n_hidden(), 100);
    let task = Rank2Task::<f32>::from_ms(75.0, 10.0, 0.0).unwrap();
    assert_eq!(task.total(), 17);
    let cfg = Rank2Config {
        lr: 0.1,
        epochs: 2001,
        early_stop: Some(1e-4),
        snapshot_epochs: vec![],
    };
    let run = train_rank2(p, task, &cfg, &mut |_, _| {}).unwrap();
    assert_eq!(run.history.len(), 2001);
    let mut worst: f64 = 0.0;
    for (e, loss, gn) in TABLE {
        let rl = (run.history.loss[e] - loss).abs() / loss;
        let rg = (run.history.grad_norm[e] - gn).abs() / gn;
        eprintln!(
            "epoch {e}: loss {:.10e} (rel {rl:.2e}), grad {:.10e} (rel {rg:.2e})",
            run.history.loss[e], run.history.grad_norm[e]
        );
        worst = worst.max(rl).max(rg);
    }
    assert!(worst < 1e-5, "worst relative deviation {worst:e}");
}
