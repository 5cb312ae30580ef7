//! The design simulation: deterministic, and without scatter it recovers the exponent it was
//! built with.

use dynphase::grid::merged_lrs;
use dynphase::sweep::design::{evaluate, ScatterModel};
use dynphase::sweep::{Budget, Experiment, Grid, Preset};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn full_grid(seeds: u64) -> Preset {
    Preset {
        name: "test".into(),
        grids: vec![Grid {
            experiment: Experiment::NoPost,
            lrs: merged_lrs(),
            delays_ms: (0..21).map(|l| 20 * l).collect(),
            seeds: (0..seeds).collect(),
            budget: Budget::Formula { c: 30.0 },
        }],
    }
}

#[test]
fn same_seed_same_table() {
    let m = ScatterModel::calibrated(Experiment::NoPost).unwrap();
    let d = full_grid(3);
    let a = m.simulate(&d, &mut ChaCha8Rng::seed_from_u64(5));
    let b = m.simulate(&d, &mut ChaCha8Rng::seed_from_u64(5));
    assert_eq!(a, b);
    assert_eq!(a.cells.len(), 30 * 21);
    assert!(a.cells.iter().all(|c| c.n == 3));
}

#[test]
fn without_scatter_the_likelihood_recovers_beta() {
    let mut m = ScatterModel::calibrated(Experiment::NoPost).unwrap();
    m.failure.sd_ln = 0.0;
    m.rate.sd_ln = 0.0;
    m.cell_sd = 0.0;
    let r = evaluate(&full_grid(40), &m, 4, 1).unwrap();
    assert_eq!(r.failure.failed, 0);
    assert!((r.failure.mean - 2.72).abs() < 0.1, "{:?}", r.failure);
    assert!(r.failure.sd < 0.15, "{:?}", r.failure);
    let sp = r.slow_point.unwrap();
    assert!((sp.median - 4.05).abs() < 0.6, "{sp:?}");
}

/// With 40 networks per cell, the whole merged grid and no scatter, the two-step estimator has
/// nothing to warn about; with 2 networks per cell it warns about the thin cells.
#[test]
fn two_step_warnings_follow_the_design() {
    use dynphase::fit::{two_step, Boundary, Experiment as FitExperiment, ScalingSetup};
    let mut m = ScatterModel::calibrated(Experiment::NoPost).unwrap();
    m.failure.sd_ln = 0.0;
    m.rate.sd_ln = 0.0;
    m.cell_sd = 0.0;
    let setup = ScalingSetup::paper(FitExperiment::NoPost, Boundary::Failure);
    let t = m.simulate(&full_grid(40), &mut ChaCha8Rng::seed_from_u64(2));
    let r = two_step(&t, &setup).unwrap();
    assert!(
        r.warnings().is_empty(),
        "{:?} r2 {}",
        r.warnings(),
        r.fit.r2
    );
    let t = m.simulate(&full_grid(2), &mut ChaCha8Rng::seed_from_u64(2));
    let w = two_step(&t, &setup).unwrap().warnings();
    assert!(
        w.iter().any(|s| s.contains("fewer than 10 networks")),
        "{w:?}"
    );
}
