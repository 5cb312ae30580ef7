//! Sweep presets: the paper's learning-rate x delay x seed grids and epoch budgets (docs/training.md).
//!
//! | preset | experiment(s) | #lr | delays / windows | seeds | epochs | networks |
//! |---|---|---|---|---|---|---|
//! | `nopost-broad` | `nopost` | 15 = logspace(−1, −3, 15) | 21 (0–400 ms) | 100 | E, c = 30 | 31,500 |
//! | `nopost-narrow` | `nopost` | 15 = logspace(−0.5, −2, 20)\[:15\] | 21 | 100 | E, c = 30 | 31,500 |
//! | `nopost` | `nopost` | 30 (union, descending) | 21 | 100 | E, c = 30 | 63,000 |
//! | `post` | `post` | 15 = logspace(−1, −3, 15) | 21 | 20 | E, c = 100 | 6,300 |
//! | `long-tau` | `long-tau` | 10 = logspace(−1, −3, 10) | 21 (0–800 ms) | 20 | E, c = 30 | 4,200 |
//! | `no-memory` | `no-memory` | 20 = logspace(0, −3, 20) | 20 windows (20–400 ms) | 20 | 3000 | 8,000 |
//! | `rank2-post-study` | `rank2-post`, `rank2-nopost` | 1 (0.005) | 8 (30–100 ms) | 100 | 0.5M / 1.5M | 1,600 |
//! | `quick` | `nopost` | 9 (merged k = 0, 3, …, 18, 20, 22) | 21 (0–400 ms) | 3 | E, c = 30 | 567 |
//! | `quick-post` | `post` | 5 (post grid k = 0–4: 0.1 … 0.0268) | 11 (0–400 ms, step 40) | 3 | E, c = 100 | 165 |
//! | `quick-long-tau` | `long-tau` | 5 (long-τ grid k = 0–4: 0.1 … 0.0129) | 11 (0–800 ms, step 80) | 2 | E, c = 30 | 110 |
//! | `quick-no-memory` | `no-memory` | 7 (k = 2, 3, 4, 5, 6, 8, 10: 0.483 … 0.0264) | 10 windows (40–400 ms) | 2 | 3000 | 140 |
//!
//! `nopost-broad` and `nopost-narrow` produce records of the same experiment `nopost` with the
//! same run ids as the merged `nopost` preset, so their outputs can be merged into one data set.
//! Paper total: 81,500 full-rank networks (broad + narrow + post + long-τ + no-memory) and
//! 1,600 rank-2 networks.
//!
//! ## The `quick` preset
//! Goal: the no-solution (failure) boundary exponent of Fig 4C (β = 2.72 ± 0.07) from about an
//! hour of training on two cores, through the binomial likelihood estimator
//! (`dynphase scaling --method mle`). The grid was chosen by simulation
//! (`cargo run --release --example quick_grid_design`): candidate grids are scored on
//! synthetic phase tables drawn from a boundary like the paper's,
//! `T_c(η) = 32.7 ms · (η/0.316)^(−1/2.72)`, with onsets `1 − exp(−a (T − T_c))` whose rates
//! `a` = 0.004–0.006 per ms were measured on this grid's first sweep (the MLE's per-row
//! shapes); 100 data sets per grid, cost from the measured 0.146 ms per trial step and epoch
//! on one core. Results (MLE median, fraction of estimates within ±0.5 of the truth,
//! core-minutes):
//!
//! | grid | networks | core-min | MLE median | within ±0.5 |
//! |---|---|---|---|---|
//! | 8 lrs (k ≤ 20), 0–240 ms, 3 seeds | 312 | 33 | 2.55 | 0.33 |
//! | 8 lrs (k ≤ 20), 0–400 ms, 3 seeds | 504 | 74 | 3.05 | 0.27 |
//! | 8 lrs (k ≤ 20), 0–400 ms, 5 seeds | 840 | 124 | 2.77 | 0.41 |
//! | **9 lrs (k ≤ 22), 0–400 ms, 3 seeds** | **567** | **100** | **2.83** | **0.44** |
//! | 12 lrs (k ≤ 22), 0–400 ms, 2 seeds | 504 | 84 | 2.88 | 0.36 |
//! | 6 lrs (k ≤ 24), 0–400 ms, 2 seeds | 252 | 65 | 2.65 | 0.40 |
//!
//! The lever is the learning-rate range (the exponent is a slope in ln η), bought with the
//! long epoch budgets of small η; the paper's delay grid (0–400 ms) lets even the smallest η
//! reach failure. The paper's two-step estimator is strongly biased on all of these grids
//! (means 0.7–1.6), which is why the quick preset is read with the likelihood estimator.
//! Chosen: nine learning rates of the merged grid (k = 0, 3, 6, 9, 12, 15, 18, 20, 22, i.e.
//! 0.316 … 0.01, a factor 32 in η) with the paper's budgets `E(η)` (1000 epochs for
//! η ≥ 0.03; 1118, 1553 and 3000 for the three smallest), the paper's 21 delays, and three
//! seeds per cell: 567 networks, about 100 core-minutes by the estimate (111 measured on
//! the committed run), so about 55 minutes on two free cores. With slow onsets the estimate stays broad (its profile-likelihood interval says
//! so); `--seeds 5` or the full `nopost` preset narrow it.
//!
//! The grid can be retuned with the overrides without changing the preset.
//!
//! ## `quick-post`, `quick-long-tau`, `quick-no-memory`
//! Workstation-sized slices of the other three full-rank experiments, so that every sweep
//! figure (Fig 4D–F, 4I, S5, S6) can be drawn without a cluster. Each is a subset of its
//! full preset (same run ids and budgets, checked by a test), so its records merge with a
//! later full run. They keep the largest learning rates of each grid, whose budgets are
//! shortest, and every second (post, long τ) delay or window: coarse phase diagrams and
//! rough exponents, not the paper's precision.

use serde::{Deserialize, Serialize};

use super::spec::{Experiment, RunSpec};
use crate::{Error, Result};

/// `logspace(a, b, n)` with numpy's rounding: `10^(a + i·step)`, `step = (b − a)/(n − 1)`,
/// and the last exponent exactly `b` (docs/training.md).
pub fn logspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![10f64.powf(a)];
    }
    let step = (b - a) / (n - 1) as f64;
    (0..n)
        .map(|i| {
            let y = if i == n - 1 { b } else { i as f64 * step + a };
            10f64.powf(y)
        })
        .collect()
}

/// Epoch budget `E(η) = trunc(max(1000, c/η))` in f64 (docs/training.md); `c` = 30 (no-post, long-τ)
/// or 100 (post).
pub fn epoch_budget(c: f64, lr: f64) -> u64 {
    (c / lr).max(1000.0).trunc() as u64
}

/// The broad no-post grid, `logspace(−1, −3, 15)` (also the post grid).
pub fn broad_lrs() -> Vec<f64> {
    logspace(-1.0, -3.0, 15)
}

/// The narrow no-post grid, `logspace(−0.5, −2, 20)[:15]`.
pub fn narrow_lrs() -> Vec<f64> {
    let mut v = logspace(-0.5, -2.0, 20);
    v.truncate(15);
    v
}

/// The merged no-post grid: union of the broad and narrow grids, sorted descending (30 values).
pub fn merged_lrs() -> Vec<f64> {
    let mut v = broad_lrs();
    v.extend(narrow_lrs());
    v.sort_by(|a, b| b.total_cmp(a));
    v.dedup();
    v
}

/// How the epoch budget of a run is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Budget {
    /// `E(η) = trunc(max(1000, c/η))` with the given `c`.
    Formula {
        /// The constant `c` (30 or 100).
        c: f64,
    },
    /// The same number of epochs for every run.
    Fixed(u64),
    /// Rank-2 post study: 500,000 epochs for T ∈ {6, 8} steps (30, 40 ms), else 1,500,000.
    Rank2Study,
}

impl Budget {
    /// The epoch budget of a run with learning rate `lr` and delay `delay_ms`.
    pub fn epochs(&self, lr: f64, delay_ms: u32) -> u64 {
        match *self {
            Budget::Formula { c } => epoch_budget(c, lr),
            Budget::Fixed(n) => n,
            Budget::Rank2Study => {
                if delay_ms <= 40 {
                    500_000
                } else {
                    1_500_000
                }
            }
        }
    }
}

/// One rectangular block of a sweep: every (lr, delay, seed) of one experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The task/model variant.
    pub experiment: Experiment,
    /// Learning rates, in the paper's order (descending).
    pub lrs: Vec<f64>,
    /// Delays in ms (no-memory: response windows; rank-2: delay T·5 ms), ascending.
    pub delays_ms: Vec<u32>,
    /// Seeds (network i of a cell uses seed i).
    pub seeds: Vec<u64>,
    /// Epoch budget rule.
    pub budget: Budget,
}

impl Grid {
    /// Number of networks in this block.
    pub fn len(&self) -> usize {
        self.lrs.len() * self.delays_ms.len() * self.seeds.len()
    }

    /// True if the block holds no network.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The runs in canonical order: lr (grid order), then delay, then seed innermost.
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut out = Vec::with_capacity(self.len());
        for &lr in &self.lrs {
            for &d in &self.delays_ms {
                for &s in &self.seeds {
                    out.push(RunSpec {
                        experiment: self.experiment,
                        lr,
                        delay_ms: d,
                        seed: s,
                        epochs: self.budget.epochs(lr, d),
                    });
                }
            }
        }
        out
    }
}

/// A named sweep: one or more grids.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// The preset's name (`quick`, `nopost`, ...).
    pub name: String,
    /// Its blocks.
    pub grids: Vec<Grid>,
}

/// User overrides that scale a preset down (or retune it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Overrides {
    /// `--seeds N`: seeds 0..N.
    pub seeds: Option<u64>,
    /// `--lrs LIST`: replaces the learning-rate list of every grid.
    pub lrs: Option<Vec<f64>>,
    /// `--delays-ms LIST`: replaces the delay (window) list of every grid.
    pub delays_ms: Option<Vec<u32>>,
    /// `--epochs N`: a fixed budget of N epochs for every run.
    pub epochs: Option<u64>,
}

/// Names of all presets, in documentation order.
pub const PRESET_NAMES: &[&str] = &[
    "quick",
    "quick-post",
    "quick-long-tau",
    "quick-no-memory",
    "nopost-broad",
    "nopost-narrow",
    "nopost",
    "post",
    "long-tau",
    "no-memory",
    "rank2-post-study",
    "test-tiny",
];

fn range_ms(start: u32, step: u32, n: u32) -> Vec<u32> {
    (0..n).map(|l| start + step * l).collect()
}

fn seeds(n: u64) -> Vec<u64> {
    (0..n).collect()
}

fn dcdt_delays() -> Vec<u32> {
    range_ms(0, 20, 21)
}

impl Preset {
    /// The preset called `name` (see [`PRESET_NAMES`] and the module table).
    ///
    /// `test-tiny` is a testing aid (2 lrs × 3 delays × 3 seeds, 20 epochs), meant for the fake
    /// executor and smoke tests.
    pub fn named(name: &str) -> Result<Preset> {
        let grid = |experiment, lrs, delays_ms, n_seeds, budget| Grid {
            experiment,
            lrs,
            delays_ms,
            seeds: seeds(n_seeds),
            budget,
        };
        let c30 = Budget::Formula { c: 30.0 };
        let grids = match name {
            "nopost-broad" => vec![grid(
                Experiment::NoPost,
                broad_lrs(),
                dcdt_delays(),
                100,
                c30,
            )],
            "nopost-narrow" => vec![grid(
                Experiment::NoPost,
                narrow_lrs(),
                dcdt_delays(),
                100,
                c30,
            )],
            "nopost" => vec![grid(
                Experiment::NoPost,
                merged_lrs(),
                dcdt_delays(),
                100,
                c30,
            )],
            "post" => vec![grid(
                Experiment::Post,
                broad_lrs(),
                dcdt_delays(),
                20,
                Budget::Formula { c: 100.0 },
            )],
            "long-tau" => vec![grid(
                Experiment::LongTau,
                logspace(-1.0, -3.0, 10),
                range_ms(0, 40, 21),
                20,
                c30,
            )],
            "no-memory" => vec![grid(
                Experiment::NoMemory,
                logspace(0.0, -3.0, 20),
                range_ms(20, 20, 20),
                20,
                Budget::Fixed(3000),
            )],
            "rank2-post-study" => {
                let delays = range_ms(30, 10, 8);
                vec![
                    grid(
                        Experiment::Rank2Post,
                        vec![0.005],
                        delays.clone(),
                        100,
                        Budget::Rank2Study,
                    ),
                    grid(
                        Experiment::Rank2NoPost,
                        vec![0.005],
                        delays,
                        100,
                        Budget::Rank2Study,
                    ),
                ]
            }
            "quick" => {
                let m = merged_lrs();
                let lrs = [0usize, 3, 6, 9, 12, 15, 18, 20, 22]
                    .iter()
                    .map(|&k| m[k])
                    .collect();
                vec![grid(Experiment::NoPost, lrs, dcdt_delays(), 3, c30)]
            }
            "quick-post" => vec![grid(
                Experiment::Post,
                broad_lrs()[..5].to_vec(),
                range_ms(0, 40, 11),
                3,
                Budget::Formula { c: 100.0 },
            )],
            "quick-long-tau" => vec![grid(
                Experiment::LongTau,
                logspace(-1.0, -3.0, 10)[..5].to_vec(),
                range_ms(0, 80, 11),
                2,
                c30,
            )],
            "quick-no-memory" => {
                let all = logspace(0.0, -3.0, 20);
                let lrs = [2usize, 3, 4, 5, 6, 8, 10]
                    .iter()
                    .map(|&k| all[k])
                    .collect();
                vec![grid(
                    Experiment::NoMemory,
                    lrs,
                    range_ms(40, 40, 10),
                    2,
                    Budget::Fixed(3000),
                )]
            }
            "test-tiny" => vec![grid(
                Experiment::NoPost,
                vec![0.1, 0.01],
                vec![0, 20, 40],
                3,
                Budget::Fixed(20),
            )],
            _ => return Err(Error::unknown("preset", name, PRESET_NAMES)),
        };
        Ok(Preset {
            name: name.to_string(),
            grids,
        })
    }

    /// Apply user overrides, validating them against each grid's experiment.
    pub fn with_overrides(mut self, o: &Overrides) -> Result<Preset> {
        if let Some(n) = o.seeds {
            if n == 0 {
                return Err(Error::invalid("seeds", "must be at least 1"));
            }
        }
        if let Some(lrs) = &o.lrs {
            if lrs.is_empty() {
                return Err(Error::invalid("lrs", "the list is empty"));
            }
            for &lr in lrs {
                crate::error::check_positive("lrs", lr)?;
            }
        }
        if let Some(ds) = &o.delays_ms {
            if ds.is_empty() {
                return Err(Error::invalid("delays-ms", "the list is empty"));
            }
        }
        if o.epochs == Some(0) {
            return Err(Error::invalid("epochs", "must be at least 1"));
        }
        for g in &mut self.grids {
            if let Some(n) = o.seeds {
                g.seeds = seeds(n);
            }
            if let Some(lrs) = &o.lrs {
                let mut v = lrs.clone();
                v.sort_by(|a, b| b.total_cmp(a));
                v.dedup();
                g.lrs = v;
            }
            if let Some(ds) = &o.delays_ms {
                let mut v = ds.clone();
                v.sort_unstable();
                v.dedup();
                for &d in &v {
                    g.experiment.check_delay_ms(d)?;
                }
                g.delays_ms = v;
            }
            if let Some(e) = o.epochs {
                g.budget = Budget::Fixed(e);
            }
        }
        Ok(self)
    }

    /// Total number of networks.
    pub fn len(&self) -> usize {
        self.grids.iter().map(Grid::len).sum()
    }

    /// True if the preset holds no network.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every run in canonical order (grid by grid, see [`Grid::runs`]).
    pub fn runs(&self) -> Vec<RunSpec> {
        self.grids.iter().flat_map(Grid::runs).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logspace_endpoints_exact() {
        let v = logspace(-1.0, -3.0, 15);
        assert_eq!(v[0], 0.1);
        assert_eq!(v[14], 0.001);
        assert!(logspace(0.0, 1.0, 0).is_empty());
        assert_eq!(logspace(2.0, 5.0, 1), vec![100.0]);
    }

    #[test]
    fn unknown_preset_lists_names() {
        let e = Preset::named("nope").unwrap_err().to_string();
        assert!(e.contains("unknown preset 'nope'") && e.contains("rank2-post-study"));
    }
}
