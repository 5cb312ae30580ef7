//! How the `quick` sweep preset's grid was chosen: by simulation.
//!
//! Candidate grids (learning rates x delays x seeds) are scored on synthetic phase tables drawn
//! from a boundary shaped like the paper's no-solution boundary (Fig 4C, beta = 2.72):
//! `T_c(lr) = 32.7 ms * (lr / 0.316)^(-1/2.72)` (about 33 ms at lr = 0.316 and 90 ms at
//! lr = 0.019, read off the paper's fit line), and above it
//! `P(not learned) = 1 - exp(-a (T - T_c))` with `a` between 0.005 and 0.02 per ms (onsets
//! spread over 50-200 ms, like the paper's fail fractions). For each grid the binomial
//! maximum-likelihood estimator (`dynphase scaling --method mle`) and the paper's two-step
//! estimator are run on `REPS` synthetic data sets; the table reports the mean and spread of
//! beta and the grid's training cost, estimated from the measured cost of one trial step of
//! one epoch (0.146 ms for N = 100, batch 128, f32, one core, classification included) and the
//! paper's epoch budgets `E = max(1000, 30 / lr)`.
//!
//! Run: `cargo run --release --example quick_grid_design`
use dynphase::fit::{
    fit_mle, two_step, Boundary, Experiment, MleOptions, PhaseCell, PhaseTable, ScalingSetup,
};
use dynphase::sweep::preset::{epoch_budget, merged_lrs};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

const BETA: f64 = 2.72;
const REPS: u64 = 100;
/// Onset rates a (1/ms) from the largest to the smallest learning rate.
const A_RANGE: (f64, f64) = (0.004, 0.006);
/// Measured core-seconds per trial step per epoch (one network, B = 128, N = 100).
const STEP_COST_S: f64 = 0.146e-3;

struct Grid {
    name: &'static str,
    lrs: Vec<f64>,
    delays: Vec<f64>,
    seeds: u64,
}

fn synthetic(grid: &Grid, seed: u64) -> PhaseTable {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = grid.lrs.len().max(2) as f64 - 1.0;
    let mut cells = Vec::new();
    for (k, &lr) in grid.lrs.iter().enumerate() {
        let tc = 32.7 * (lr / 0.316).powf(-1.0 / BETA);
        let a = A_RANGE.0 + (A_RANGE.1 - A_RANGE.0) * k as f64 / n;
        for &t in &grid.delays {
            let p = if t < tc {
                0.0
            } else {
                1.0 - (-a * (t - tc)).exp()
            };
            let nl = (0..grid.seeds).filter(|_| rng.random::<f64>() < p).count() as u64;
            cells.push(PhaseCell {
                lr,
                delay_ms: t,
                n: grid.seeds,
                not_learned: nl,
                limit_cycle: Some(grid.seeds - nl),
                slow_point: Some(0),
            });
        }
    }
    PhaseTable { cells }
}

/// Core-minutes of training: steps per trial L = 16 + T / 5 (docs/tasks.md), times the epoch budget.
fn cost_core_min(grid: &Grid) -> f64 {
    let mut s = 0.0;
    for &lr in &grid.lrs {
        for &t in &grid.delays {
            let steps = 16.0 + t / 5.0;
            s += steps * epoch_budget(30.0, lr) as f64 * STEP_COST_S * grid.seeds as f64;
        }
    }
    s / 60.0
}

fn stats(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    (m, sd)
}

fn main() {
    let m = merged_lrs();
    let pick = |ks: &[usize]| ks.iter().map(|&k| m[k]).collect::<Vec<f64>>();
    let delays = |n: usize| (0..n).map(|i| 20.0 * i as f64).collect::<Vec<f64>>();
    let quick_lrs = pick(&[0, 3, 6, 9, 12, 15, 18, 20]);
    let quick_plus = pick(&[0, 3, 6, 9, 12, 15, 18, 20, 22]);
    let grids = vec![
        Grid {
            name: "8 lrs (k <= 20), 0-240 ms, 3 seeds",
            lrs: quick_lrs.clone(),
            delays: delays(13),
            seeds: 3,
        },
        Grid {
            name: "8 lrs (k <= 20), 0-400 ms, 3 seeds",
            lrs: quick_lrs.clone(),
            delays: delays(21),
            seeds: 3,
        },
        Grid {
            name: "8 lrs (k <= 20), 0-400 ms, 5 seeds",
            lrs: quick_lrs,
            delays: delays(21),
            seeds: 5,
        },
        Grid {
            name: "9 lrs (k <= 22), 0-400 ms, 3 seeds",
            lrs: quick_plus,
            delays: delays(21),
            seeds: 3,
        },
        Grid {
            name: "12 lrs (k <= 22), 0-400 ms, 2 seeds",
            lrs: pick(&[0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]),
            delays: delays(21),
            seeds: 2,
        },
        Grid {
            name: "6 lrs (k <= 24), 0-400 ms, 2 seeds",
            lrs: pick(&[0, 5, 10, 15, 20, 24]),
            delays: delays(21),
            seeds: 2,
        },
    ];
    let setup = ScalingSetup::paper(Experiment::NoPost, Boundary::Failure);
    let opts = MleOptions {
        profile_ci: false,
        ..MleOptions::default()
    };
    println!("synthetic boundary beta = {BETA}; {REPS} data sets per grid");
    println!(
        "{:<38} {:>6} {:>9} {:>16} {:>8} {:>8} {:>16}",
        "grid", "nets", "core-min", "MLE mean (sd)", "median", "P(+-0.5)", "two-step (sd)"
    );
    for g in &grids {
        let res: Vec<(f64, Option<f64>)> = (0..REPS)
            .into_par_iter()
            .map(|r| {
                let t = synthetic(g, 7000 + r);
                let ml = fit_mle(&t, &setup, &opts)
                    .map(|f| f.beta)
                    .unwrap_or(f64::NAN);
                let ts = two_step(&t, &setup).ok().map(|f| f.fit.beta);
                (ml, ts)
            })
            .collect();
        let ml: Vec<f64> = res.iter().map(|r| r.0).filter(|b| b.is_finite()).collect();
        let ts: Vec<f64> = res
            .iter()
            .filter_map(|r| r.1)
            .filter(|b| b.is_finite())
            .collect();
        let (mm, sm) = stats(&ml);
        let (mt, st) = stats(&ts);
        let mut sorted = ml.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        let near = ml.iter().filter(|b| (*b - BETA).abs() < 0.5).count() as f64 / REPS as f64;
        let nets = g.lrs.len() * g.delays.len() * g.seeds as usize;
        println!(
            "{:<38} {:>6} {:>9.0} {:>8.2} ({:.2}) {:>8.2} {:>8.2} {:>9.2} ({:.2})",
            g.name,
            nets,
            cost_core_min(g),
            mm,
            sm,
            median,
            near,
            mt,
            st
        );
    }
}
