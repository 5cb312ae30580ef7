//! The choice of estimator of the scaling exponent (the paper's two-step procedure of
//! [`super::scaling`] or the likelihood fit of [`super::mle`]) and a seeded bootstrap over
//! networks that refits either one (docs/fits.md).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::mle::{fit_mle, MleOptions};
use super::phase_table::{PhaseCell, PhaseTable};
use super::power_law::percentile;
use super::scaling::{two_step, ScalingSetup};
use crate::{Error, Result};

/// Estimator of the scaling exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The paper's per-row onset fits followed by the log-log regression (default).
    TwoStep,
    /// One binomial maximum-likelihood fit over all counts with a shared power law
    /// ([`super::mle`]).
    Mle,
}

impl Method {
    /// Accepted names, as on the command line.
    pub const NAMES: [&'static str; 2] = ["two-step", "mle"];

    /// Parse a command-line name.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "two-step" => Ok(Method::TwoStep),
            "mle" => Ok(Method::Mle),
            _ => Err(Error::unknown("method", s, &Self::NAMES)),
        }
    }
}

/// Percentile bootstrap of the exponent.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapCi {
    /// Replicates requested.
    pub replicates: usize,
    /// Replicates whose refit failed (left out of the percentiles).
    pub failed: usize,
    /// Mean of the successful replicates' beta.
    pub mean: f64,
    /// Standard deviation (n - 1) of the successful replicates' beta.
    pub sd: f64,
    /// 2.5th percentile of beta (linear interpolation).
    pub low: f64,
    /// 97.5th percentile of beta.
    pub high: f64,
}

/// Draw `Binomial(n, p)` by summing Bernoulli trials (cells hold at most a few hundred
/// networks, so this is exact and cheap).
fn binomial(rng: &mut ChaCha8Rng, n: u64, p: f64) -> u64 {
    if p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    (0..n).filter(|_| rng.random::<f64>() < p).count() as u64
}

/// Resample every cell's networks with replacement: the counts (not learned, LC, SP, other)
/// become a multinomial draw of the cell's `n` with the observed proportions.
pub fn resample_table(table: &PhaseTable, rng: &mut ChaCha8Rng) -> PhaseTable {
    let cells = table
        .cells
        .iter()
        .map(|c| {
            let n = c.n;
            if n == 0 {
                return c.clone();
            }
            let lc = c.limit_cycle.unwrap_or(0);
            let sp = c.slow_point.unwrap_or(0);
            // Sequential binomials give a multinomial draw.
            let nl = binomial(rng, n, c.not_learned as f64 / n as f64);
            let rest = n - nl;
            let rem_mass = n - c.not_learned;
            let lc_new = if rem_mass > 0 {
                binomial(rng, rest, lc as f64 / rem_mass as f64)
            } else {
                0
            };
            let rest2 = rest - lc_new;
            let rem_mass2 = rem_mass - lc;
            let sp_new = if rem_mass2 > 0 {
                binomial(rng, rest2, sp as f64 / rem_mass2 as f64)
            } else {
                0
            };
            PhaseCell {
                lr: c.lr,
                delay_ms: c.delay_ms,
                n,
                not_learned: nl,
                limit_cycle: c.limit_cycle.map(|_| lc_new),
                slow_point: c.slow_point.map(|_| sp_new),
            }
        })
        .collect();
    PhaseTable { cells }
}

/// Bootstrap over networks: `replicates` resampled tables (seeded `ChaCha8Rng`, one stream,
/// drawn sequentially so the result does not depend on threads), each refitted with `method`
/// (the likelihood fit with `mle`'s options, without its profile interval); percentile 95 %
/// interval of beta.
pub fn bootstrap_beta(
    table: &PhaseTable,
    setup: &ScalingSetup,
    method: Method,
    mle: &MleOptions,
    replicates: usize,
    seed: u64,
) -> Result<BootstrapCi> {
    if replicates < 2 {
        return Err(Error::invalid("bootstrap", "needs at least 2 replicates"));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tables: Vec<PhaseTable> = (0..replicates)
        .map(|_| resample_table(table, &mut rng))
        .collect();
    let opts = MleOptions {
        profile_ci: false,
        ..*mle
    };
    let betas: Vec<Option<f64>> = {
        use rayon::prelude::*;
        tables
            .par_iter()
            .map(|t| match method {
                Method::TwoStep => two_step(t, setup).ok().map(|r| r.fit.beta),
                Method::Mle => fit_mle(t, setup, &opts).ok().map(|r| r.beta),
            })
            .collect()
    };
    let ok: Vec<f64> = betas
        .iter()
        .flatten()
        .copied()
        .filter(|b| b.is_finite())
        .collect();
    if ok.len() < 2 {
        return Err(Error::numerical(
            "bootstrap",
            format!("only {} of {replicates} refits succeeded", ok.len()),
        ));
    }
    let m = ok.len() as f64;
    let mean = ok.iter().sum::<f64>() / m;
    let sd = (ok.iter().map(|b| (b - mean) * (b - mean)).sum::<f64>() / (m - 1.0)).sqrt();
    Ok(BootstrapCi {
        replicates,
        failed: replicates - ok.len(),
        mean,
        sd,
        low: percentile(&ok, 2.5),
        high: percentile(&ok, 97.5),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampling_keeps_cell_sizes_and_is_seeded() {
        let t = PhaseTable {
            cells: (0..10)
                .map(|i| PhaseCell {
                    lr: 0.1,
                    delay_ms: 20.0 * i as f64,
                    n: 20,
                    not_learned: i,
                    limit_cycle: Some(5),
                    slow_point: Some(15 - i.min(15)),
                })
                .collect(),
        };
        let a = resample_table(&t, &mut ChaCha8Rng::seed_from_u64(1));
        let b = resample_table(&t, &mut ChaCha8Rng::seed_from_u64(1));
        let c = resample_table(&t, &mut ChaCha8Rng::seed_from_u64(2));
        assert_eq!(a, b);
        assert_ne!(a, c);
        for (x, y) in a.cells.iter().zip(&t.cells) {
            assert_eq!(x.n, y.n);
            assert!(x.not_learned + x.limit_cycle.unwrap() + x.slow_point.unwrap() <= x.n);
            // Cells with no networks of a class never gain one.
            if y.not_learned == 0 {
                assert_eq!(x.not_learned, 0);
            }
        }
    }
}
