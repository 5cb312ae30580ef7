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
//! | `quick` | `nopost` | 10 rows of the merged grid, 0.316 … 0.001 ([`QUICK_ROWS`]) | 0–400 ms, per row | 1–4 | E, c = 30 | 348 |
//! | `workstation` | `nopost` | 15 rows of the merged grid, 0.316 … 0.001 ([`WORKSTATION_ROWS`]) | 0–400 ms, per row | 4–14 | E, c = 30 | 2,163 |
//! | `quick-post` | `post` | 5 rows of the post grid, 0.1 … 0.01 ([`QUICK_POST_ROWS`]) | 0–400 ms step 40, per row | 2–3 | E, c = 100 | 118 |
//! | `quick-long-tau` | `long-tau` | 5 rows of the long-τ grid, 0.1 … 0.0046 ([`QUICK_LONG_TAU_ROWS`]) | 0–800 ms step 80, per row | 1–3 | E, c = 30 | 100 |
//! | `quick-no-memory` | `no-memory` | 7 (k = 2, 3, 4, 5, 6, 8, 10: 0.483 … 0.0264) | 10 windows (40–400 ms) | 2 | 3000 | 140 |
//!
//! `nopost-broad` and `nopost-narrow` produce records of the same experiment `nopost` with the
//! same run ids as the merged `nopost` preset, so their outputs can be merged into one data set.
//! Paper total: 81,500 full-rank networks (broad + narrow + post + long-τ + no-memory) and
//! 1,600 rank-2 networks.
//!
//! ## `quick`, `workstation` and the quick slices
//! Chosen by simulation ([`crate::sweep::design`], `cargo run --release --example
//! quick_grid_design`; the tables and the reasoning are in `docs/sweep-design.md`). Every
//! one is a subset of its full preset (same run ids and epoch budgets, checked by a test), so
//! its records merge with a later full run. The learning rates span each full grid's range as
//! far as the budget allows (the exponent is a slope in ln η); rows with the long budgets of
//! small η (`E = 30/η` epochs) train only the delays around the paper's boundary, and the cheap
//! rows at large η get the most seeds.
//!
//! * `quick`: 1.8 core-hours by the measured training speed (about 55 minutes on two cores);
//!   simulated likelihood β of the no-solution boundary 2.71 ± 0.44 (s.d.).
//! * `workstation`: 15 core-hours (overnight on 8 cores); simulated β 2.78 ± 0.24.
//! * `quick-post` spans a factor 10 in η (0.1 … 0.01), `quick-long-tau` a factor 22; both
//!   halve the simulated spread of the old slices at about the same cost. `quick-no-memory`
//!   was already the better of the candidates and is unchanged.
//!
//! The grids can be retuned with the overrides without changing the preset.

use serde::{Deserialize, Serialize};

use super::spec::{Experiment, RunSpec};
use crate::grid::{
    broad_lrs, epoch_budget, fixed_window_lrs, long_tau_lrs, merged_lrs, narrow_lrs,
};
use crate::{Error, Result};

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

/// The `quick` design: rows of the merged no-post grid as [`RowBlock`]s (chosen by
/// simulation, `docs/sweep-design.md`).
pub const QUICK_ROWS: &[RowBlock] = &[
    (0, 0, 20, 200, 4),
    (1, 0, 20, 200, 4),
    (2, 0, 20, 200, 4),
    (3, 0, 20, 200, 4),
    (4, 0, 20, 200, 4),
    (5, 0, 20, 200, 4),
    (14, 0, 40, 400, 2),
    (21, 40, 40, 400, 2),
    (24, 60, 20, 400, 2),
    (29, 200, 40, 400, 1),
];

/// The `quick-post` design: rows of the post grid `logspace(−1, −3, 15)` as [`RowBlock`]s.
pub const QUICK_POST_ROWS: &[RowBlock] = &[
    (0, 0, 40, 400, 3),
    (2, 0, 40, 400, 3),
    (3, 40, 40, 400, 2),
    (5, 80, 40, 400, 2),
    (7, 160, 40, 400, 2),
];

/// The `quick-long-tau` design: rows of the long-τ grid `logspace(−1, −3, 10)` as
/// [`RowBlock`]s (delays 0–800 ms).
pub const QUICK_LONG_TAU_ROWS: &[RowBlock] = &[
    (0, 0, 80, 800, 3),
    (1, 0, 80, 800, 2),
    (2, 80, 80, 800, 2),
    (4, 160, 80, 800, 2),
    (6, 320, 80, 800, 1),
];

/// The `workstation` design (about 16 core-hours): rows of the merged no-post grid as
/// [`RowBlock`]s (chosen by simulation, `docs/sweep-design.md`).
pub const WORKSTATION_ROWS: &[RowBlock] = &[
    (0, 0, 20, 240, 14),
    (1, 0, 20, 240, 14),
    (2, 0, 20, 240, 14),
    (3, 0, 20, 240, 14),
    (4, 0, 20, 240, 14),
    (5, 0, 20, 240, 14),
    (6, 0, 20, 240, 14),
    (7, 0, 20, 240, 14),
    (12, 0, 20, 400, 6),
    (18, 0, 20, 400, 6),
    (21, 20, 20, 400, 6),
    (23, 40, 20, 400, 7),
    (25, 80, 20, 400, 6),
    (27, 140, 20, 400, 4),
    (29, 200, 20, 400, 4),
];

/// Names of all presets, in documentation order.
pub const PRESET_NAMES: &[&str] = &[
    "quick",
    "workstation",
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

/// One learning-rate row of a boundary-focused design: `(k, first_ms, step_ms, last_ms,
/// seeds)` = row `k` of the grid, delays `first_ms, first_ms + step_ms, …, last_ms`, seeds
/// `0..seeds`.
pub type RowBlock = (usize, u32, u32, u32, u64);

/// One [`Grid`] block per [`RowBlock`]: row `k` of `lrs` with its own delays and seeds.
pub fn row_blocks(
    experiment: Experiment,
    lrs: &[f64],
    budget: Budget,
    rows: &[RowBlock],
) -> Vec<Grid> {
    rows.iter()
        .map(|&(k, first, step, last, n)| Grid {
            experiment,
            lrs: vec![lrs[k]],
            delays_ms: (first..=last).step_by(step as usize).collect(),
            seeds: seeds(n),
            budget,
        })
        .collect()
}

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
                long_tau_lrs(),
                range_ms(0, 40, 21),
                20,
                c30,
            )],
            "no-memory" => vec![grid(
                Experiment::NoMemory,
                fixed_window_lrs(),
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
            "quick" => row_blocks(Experiment::NoPost, &merged_lrs(), c30, QUICK_ROWS),
            "workstation" => row_blocks(Experiment::NoPost, &merged_lrs(), c30, WORKSTATION_ROWS),
            "quick-post" => row_blocks(
                Experiment::Post,
                &broad_lrs(),
                Budget::Formula { c: 100.0 },
                QUICK_POST_ROWS,
            ),
            "quick-long-tau" => row_blocks(
                Experiment::LongTau,
                &long_tau_lrs(),
                c30,
                QUICK_LONG_TAU_ROWS,
            ),
            "quick-no-memory" => {
                let all = fixed_window_lrs();
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

    /// Total number of networks (a run that two grids share counts once).
    pub fn len(&self) -> usize {
        self.runs().len()
    }

    /// True if the preset holds no network.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every run in canonical order (grid by grid, see [`Grid::runs`]), each once: overrides
    /// can make several blocks of a preset cover the same networks (e.g. `--lrs` and
    /// `--delays-ms` on a row-block design), and a network shared by two grids is the same
    /// network (its outcome is a function of its id), so only its first occurrence is kept.
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut seen = std::collections::HashSet::new();
        self.grids
            .iter()
            .flat_map(Grid::runs)
            .filter(|r| seen.insert((r.experiment, r.lr.to_bits(), r.delay_ms, r.seed)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_that_merge_blocks_give_each_network_once() {
        let o = Overrides {
            lrs: Some(vec![0.316228, 0.1]),
            delays_ms: Some(vec![20, 60, 100]),
            seeds: Some(2),
            ..Default::default()
        };
        let p = Preset::named("quick").unwrap().with_overrides(&o).unwrap();
        assert!(p.grids.len() > 1);
        let runs = p.runs();
        assert_eq!(runs.len(), 2 * 3 * 2);
        assert_eq!(p.len(), 12);
        let ids: std::collections::HashSet<String> = runs.iter().map(|r| r.id()).collect();
        assert_eq!(ids.len(), 12);
    }

    #[test]
    fn unknown_preset_lists_names() {
        let e = Preset::named("nope").unwrap_err().to_string();
        assert!(e.contains("unknown preset 'nope'") && e.contains("rank2-post-study"));
    }
}
