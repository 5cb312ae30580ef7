//! Sweep design by simulation: how precisely would a grid measure the paper's exponents?
//!
//! A design is a [`Preset`] (one or more rectangular blocks of learning rates × delays ×
//! seeds). [`evaluate`] draws `reps` synthetic phase tables from a [`ScatterModel`], fits each
//! with the binomial likelihood estimator ([`fit_mle`], the `dynphase scaling --method mle`
//! library call) and reports the mean and spread of the fitted exponents together with the
//! design's training cost. The page `docs/sweep-design.md` holds the resulting table and the
//! designs chosen for the presets.
//!
//! ## The scatter model
//! Real phase tables are rougher than a smooth boundary with binomial noise. The model draws,
//! for every learning-rate row `k` of a simulated table (Fig 4B, S3D of the paper):
//!
//! * a critical delay on the paper's power law with multiplicative scatter,
//!   `ln T_c(η_k) = ln T_ref − (1/β) ln(η_k/η_ref) + σ_T ξ_k`, `ξ_k ~ N(0, 1)`; with
//!   σ_T = 0.12 neighbouring rows of the merged grid (which differ by a few per cent in η)
//!   are not monotone in η, as in the paper's own per-row fits at the top of the grid;
//! * a gradual onset `P(not learned) = 1 − exp(−a_k (T − T_c))` above `T_c` (0 below) with a
//!   row-dependent rate `a_k = a_ref (η_k/η_ref)^γ exp(σ_a ζ_k)`;
//! * a cell-level jitter of the hazard, `a_k (T − T_c) exp(σ_c ν)` per (row, delay) cell, so
//!   that onsets are not monotone in the delay beyond binomial noise;
//! * a slow-point boundary (optional): the share of slow points among the learned networks is
//!   `1 / (1 + exp(k_k (T − T_sp(η_k))))` with `T_sp` on its own power law (β = 4.05 for the
//!   no-post experiment, Fig S3F), its own scatter and row-dependent steepness `k_k`;
//!
//! then draws the class counts of each cell: not learned ~ Bin(n, P_fail), slow points among
//! the rest ~ Bin(n − fails, share), the remainder limit cycles.
//!
//! The no-memory control (Fig S6) is transposed: each response window `T_w` has a critical
//! learning rate `ln η_c(T_w) = ln η_ref − β ln(T_w/T_ref) + σ_T ξ` and
//! `P(not learned | η) = 1 / (1 + exp(−k_w (ln η − ln η_c)))`.
//!
//! Every draw comes from one ChaCha8 stream per simulated table, seeded from `(seed, rep)`, so
//! the results are identical whatever the thread count.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, StandardNormal};
use rayon::prelude::*;

use super::preset::Preset;
use super::spec::Experiment;
use crate::fit::{fit_mle, Boundary, MleOptions, PhaseCell, PhaseTable, ScalingSetup};
use crate::{Error, Result};

/// Core-seconds of training per trial step per epoch (one full-rank network, N = 100,
/// B = 128, classification included): the committed `quick` records' total `wall_s`
/// (6,640 s) divided by their Σ trial steps × epochs (4.12e7), run two networks at a time on
/// the two cores of an Intel Xeon (AVX-512). The other committed slices give 1.33e-4
/// (no-memory) to 1.66e-4 (post).
pub const CORE_S_PER_STEP_EPOCH: f64 = 1.61e-4;

/// A power law with multiplicative row scatter: `ln y(x) = ln y_ref − slope ln(x/x_ref) + σ ξ`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScatteredLaw {
    /// Reference abscissa (a learning rate, or a response window in ms).
    pub x_ref: f64,
    /// Value at the reference abscissa (a delay in ms, or a learning rate).
    pub y_ref: f64,
    /// `−d ln y / d ln x` (1/β for onset experiments, β for the transposed fit).
    pub slope: f64,
    /// Standard deviation of the row scatter in `ln y`.
    pub sd_ln: f64,
}

impl ScatteredLaw {
    fn draw(&self, x: f64, rng: &mut ChaCha8Rng) -> f64 {
        let xi: f64 = rng.sample(StandardNormal);
        (self.y_ref.ln() - self.slope * (x / self.x_ref).ln() + self.sd_ln * xi).exp()
    }
}

/// A row-dependent rate `r(x) = r_ref (x/x_ref)^gamma exp(σ ζ)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScatteredRate {
    /// The median rate at the law's reference abscissa.
    pub at_ref: f64,
    /// Trend exponent `gamma`.
    pub gamma: f64,
    /// Standard deviation of the row scatter in `ln r`.
    pub sd_ln: f64,
}

impl ScatteredRate {
    fn draw(&self, x: f64, x_ref: f64, rng: &mut ChaCha8Rng) -> f64 {
        let z: f64 = rng.sample(StandardNormal);
        self.at_ref * (x / x_ref).powf(self.gamma) * (self.sd_ln * z).exp()
    }
}

/// The slow-point part of a [`ScatterModel`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlowPointModel {
    /// `T_sp(η)` in ms, `slope = 1/β_SP`.
    pub boundary: ScatteredLaw,
    /// Steepness `k` (1/ms) of the logistic share.
    pub steepness: ScatteredRate,
}

/// Synthetic phase tables with realistic scatter (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScatterModel {
    /// The experiment whose tables are drawn (selects the fit setup, and the transposed form
    /// for the no-memory control).
    pub experiment: Experiment,
    /// The no-solution boundary: `T_c(η)` in ms (onset experiments) or `η_c(T_w)` (no-memory).
    pub failure: ScatteredLaw,
    /// Onset rate `a` (1/ms), or the transposed steepness `k_w` per unit of `ln η`.
    pub rate: ScatteredRate,
    /// Standard deviation of the per-cell multiplicative jitter of the hazard.
    pub cell_sd: f64,
    /// The slow-point boundary, if the experiment has one.
    pub slow_point: Option<SlowPointModel>,
}

impl ScatterModel {
    /// The model used for the presets (calibration in `docs/sweep-design.md`).
    ///
    /// * no-post: `T_c = 32.7 ms` at η = 0.316 (the paper's Fig 4C fit line), β = 2.72;
    ///   onset rate 0.005/ms (the likelihood fit of the committed `quick` run gives
    ///   0.004–0.006 per row); slow points with β = 4.05 (Fig S3F), `T_sp` = 41 ms at η = 0.316
    ///   and `k` = 0.035/ms (the committed `quick` run's slow-point fit).
    /// * post: β = 2.65 (Fig 4F), `T_c` = 120 ms at η = 0.1 and onset rate 0.006/ms (the
    ///   committed `quick-post` run); no slow points.
    /// * long τ: the paper gives no exponent; β = 2.72 is assumed, anchored at the committed
    ///   `quick-long-tau` run's `T_c` = 120 ms at η = 0.1, onset rate 0.006/ms.
    /// * no-memory: β = 0.38 (Fig S6C), `η_c` = 0.1 at `T_w` = 100 ms and steepness 10 per
    ///   unit of ln η (the committed `quick-no-memory` run).
    ///
    /// All rows scatter by σ_T = 0.12 in `ln T_c` (0.2 in `ln η_c` for the transposed fit),
    /// rates by 0.3 in `ln a`, cells by 0.2.
    pub fn calibrated(experiment: Experiment) -> Result<ScatterModel> {
        let law = |x_ref, y_ref, slope| ScatteredLaw {
            x_ref,
            y_ref,
            slope,
            sd_ln: 0.12,
        };
        let rate = |at_ref, gamma| ScatteredRate {
            at_ref,
            gamma,
            sd_ln: 0.3,
        };
        let m = |failure, rate, slow_point| ScatterModel {
            experiment,
            failure,
            rate,
            cell_sd: 0.2,
            slow_point,
        };
        Ok(match experiment {
            Experiment::NoPost => m(
                law(0.316, 32.7, 1.0 / 2.72),
                rate(0.012, 0.15),
                Some(SlowPointModel {
                    boundary: law(0.316, 41.0, 1.0 / 4.05),
                    steepness: rate(0.035, 0.0),
                }),
            ),
            Experiment::Post => m(law(0.1, 120.0, 1.0 / 2.65), rate(0.012, 0.15), None),
            Experiment::LongTau => m(law(0.1, 120.0, 1.0 / 2.72), rate(0.012, 0.15), None),
            Experiment::NoMemory => m(
                ScatteredLaw {
                    x_ref: 100.0,
                    y_ref: 0.1,
                    slope: 0.38,
                    sd_ln: 0.2,
                },
                rate(10.0, 0.0),
                None,
            ),
            Experiment::Rank2Post | Experiment::Rank2NoPost => {
                return Err(Error::invalid(
                    "experiment",
                    "the design simulation covers the full-rank experiments only",
                ))
            }
        })
    }

    /// The exponent the model was built with (β of the no-solution boundary).
    pub fn beta(&self) -> f64 {
        match self.experiment {
            Experiment::NoMemory => self.failure.slope,
            _ => 1.0 / self.failure.slope,
        }
    }

    /// Draw one synthetic phase table on the cells of `design`.
    pub fn simulate(&self, design: &Preset, rng: &mut ChaCha8Rng) -> PhaseTable {
        let transposed = self.experiment == Experiment::NoMemory;
        // Distinct rows (learning rates, or windows for the transposed form), in order.
        let mut keys: Vec<f64> = Vec::new();
        for g in &design.grids {
            let ks: Vec<f64> = if transposed {
                g.delays_ms.iter().map(|&d| d as f64).collect()
            } else {
                g.lrs.clone()
            };
            for k in ks {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        // Per row: (key, critical value, onset rate, slow-point (T_sp, k)).
        type Row = (f64, f64, f64, Option<(f64, f64)>);
        let rows: Vec<Row> = keys
            .iter()
            .map(|&key| {
                let c = self.failure.draw(key, rng);
                let a = self.rate.draw(key, self.failure.x_ref, rng);
                let sp = self.slow_point.map(|s| {
                    (
                        s.boundary.draw(key, rng),
                        s.steepness.draw(key, s.boundary.x_ref, rng),
                    )
                });
                (key, c, a, sp)
            })
            .collect();
        let mut cells: Vec<PhaseCell> = Vec::new();
        for g in &design.grids {
            let n = g.seeds.len() as u64;
            for &lr in &g.lrs {
                for &d in &g.delays_ms {
                    let t = d as f64;
                    let key = if transposed { t } else { lr };
                    let &(_, crit, a, sp) = rows.iter().find(|r| r.0 == key).expect("row drawn");
                    let jitter = {
                        let z: f64 = rng.sample(StandardNormal);
                        (self.cell_sd * z).exp()
                    };
                    let p_fail = if transposed {
                        1.0 / (1.0 + (-a * jitter * (lr.ln() - crit.ln())).exp())
                    } else if t > crit {
                        1.0 - (-a * jitter * (t - crit)).exp()
                    } else {
                        0.0
                    };
                    let fails = binomial(n, p_fail, rng);
                    let sp_n = match sp {
                        Some((t_sp, k)) => {
                            let share = 1.0 / (1.0 + (k * (t - t_sp)).exp());
                            binomial(n - fails, share, rng)
                        }
                        None => 0,
                    };
                    add_cell(&mut cells, lr, t, n, fails, sp_n, self.slow_point.is_some());
                }
            }
        }
        PhaseTable { cells }
    }
}

fn binomial(n: u64, p: f64, rng: &mut ChaCha8Rng) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    Binomial::new(n, p).expect("0 < p < 1").sample(rng)
}

fn add_cell(cells: &mut Vec<PhaseCell>, lr: f64, t: f64, n: u64, fails: u64, sp: u64, mech: bool) {
    let (lc, sp) = if mech {
        (Some(n - fails - sp), Some(sp))
    } else {
        (None, None)
    };
    if let Some(c) = cells.iter_mut().find(|c| c.lr == lr && c.delay_ms == t) {
        c.n += n;
        c.not_learned += fails;
        if let (Some(a), Some(b)) = (c.limit_cycle.as_mut(), lc) {
            *a += b;
        }
        if let (Some(a), Some(b)) = (c.slow_point.as_mut(), sp) {
            *a += b;
        }
        return;
    }
    cells.push(PhaseCell {
        lr,
        delay_ms: t,
        n,
        not_learned: fails,
        limit_cycle: lc,
        slow_point: sp,
    });
}

/// Mean, spread and failures of one estimator over the simulated tables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Mean of the finite estimates.
    pub mean: f64,
    /// Sample standard deviation of the finite estimates.
    pub sd: f64,
    /// Median of the finite estimates.
    pub median: f64,
    /// Robust spread: 1.4826 × the median absolute deviation from the median (equals the
    /// s.d. for normal estimates; not inflated by the rare fits whose slope vanishes).
    pub mad_sd: f64,
    /// Number of tables on which the fit failed or returned a non-finite exponent.
    pub failed: usize,
}

impl Spread {
    /// The spread of `values` (non-finite entries count as failures).
    pub fn of(values: &[f64]) -> Spread {
        let mut ok: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let failed = values.len() - ok.len();
        if ok.is_empty() {
            return Spread {
                mean: f64::NAN,
                sd: f64::NAN,
                median: f64::NAN,
                mad_sd: f64::NAN,
                failed,
            };
        }
        ok.sort_by(f64::total_cmp);
        let n = ok.len() as f64;
        let mean = ok.iter().sum::<f64>() / n;
        let sd = (ok.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        let median = ok[ok.len() / 2];
        let mut dev: Vec<f64> = ok.iter().map(|x| (x - median).abs()).collect();
        dev.sort_by(f64::total_cmp);
        Spread {
            mean,
            sd,
            median,
            mad_sd: 1.4826 * dev[dev.len() / 2],
            failed,
        }
    }
}

/// A design's cost and the simulated precision of its exponents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DesignReport {
    /// Number of networks.
    pub networks: usize,
    /// Σ trial steps × epochs over the design's runs.
    pub step_epochs: f64,
    /// Estimated core-hours (`step_epochs ×` [`CORE_S_PER_STEP_EPOCH`]).
    pub core_hours: f64,
    /// Likelihood β of the no-solution boundary.
    pub failure: Spread,
    /// Likelihood β of the slow-point boundary (if the model has one).
    pub slow_point: Option<Spread>,
}

/// Training cost of a design: (Σ trial steps × epochs, core-hours).
pub fn design_cost(design: &Preset) -> (f64, f64) {
    let se: f64 = design.runs().iter().map(|r| r.cost()).sum();
    (se, se * CORE_S_PER_STEP_EPOCH / 3600.0)
}

/// Simulate `reps` tables of `design` from `model` and fit each with the likelihood estimator
/// (paper setups of `dynphase scaling`, without the profile interval). Parallel over tables
/// (rayon); deterministic in `seed`.
pub fn evaluate(
    design: &Preset,
    model: &ScatterModel,
    reps: usize,
    seed: u64,
) -> Result<DesignReport> {
    let fe = model.experiment;
    if !fe.has_scaling_fit() {
        return Err(Error::invalid(
            "experiment",
            "the design simulation covers the full-rank experiments only",
        ));
    }
    let fail_setup = ScalingSetup::paper(fe, Boundary::Failure);
    let sp_setup = ScalingSetup::paper(fe, Boundary::SlowPoint);
    let opts = MleOptions {
        profile_ci: false,
        ..MleOptions::default()
    };
    let beta =
        |t: &PhaseTable, s: &ScalingSetup| fit_mle(t, s, &opts).map(|f| f.beta).unwrap_or(f64::NAN);
    let res: Vec<(f64, f64)> = (0..reps as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ r.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let t = model.simulate(design, &mut rng);
            let sp = if model.slow_point.is_some() {
                beta(&t, &sp_setup)
            } else {
                f64::NAN
            };
            (beta(&t, &fail_setup), sp)
        })
        .collect();
    let (step_epochs, core_hours) = design_cost(design);
    let f: Vec<f64> = res.iter().map(|r| r.0).collect();
    let s: Vec<f64> = res.iter().map(|r| r.1).collect();
    Ok(DesignReport {
        networks: design.len(),
        step_epochs,
        core_hours,
        failure: Spread::of(&f),
        slow_point: model.slow_point.map(|_| Spread::of(&s)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_of_known_values() {
        let s = Spread::of(&[1.0, 2.0, 3.0, f64::NAN]);
        assert_eq!(s.failed, 1);
        assert!((s.mean - 2.0).abs() < 1e-15 && (s.sd - 1.0).abs() < 1e-15);
        assert_eq!(s.median, 2.0);
        assert!((s.mad_sd - 1.4826).abs() < 1e-12);
    }
}
