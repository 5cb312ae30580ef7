//! The experiments of the paper: one enum for the sweeps, the records, the phase tables, the
//! scaling fits and the figures (docs/tasks.md, docs/training.md, docs/fits.md).

use serde::{Deserialize, Serialize};

use crate::outcome::Labels;
use crate::{Error, Result};

/// The task/model variant of a run (docs/tasks.md, docs/training.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Experiment {
    /// Full-rank DCDT without post period (K = 10), delays 0–400 ms step 20.
    #[serde(rename = "nopost")]
    NoPost,
    /// Full-rank DCDT with T_post = 30 ms (K = 16).
    #[serde(rename = "post")]
    Post,
    /// Full-rank DCDT with τ = 20 ms (α = 0.25), delays 0–800 ms step 40.
    #[serde(rename = "long-tau")]
    LongTau,
    /// Fixed-window (no-memory) control, linear readout; `delay_ms` is the response window.
    #[serde(rename = "no-memory")]
    NoMemory,
    /// Rank-2 delayed activation with post period (2 ones then 6 zeros); `delay_ms` = 5·T.
    #[serde(rename = "rank2-post")]
    Rank2Post,
    /// Rank-2 delayed activation without post period (T + 2 steps); `delay_ms` = 5·T.
    #[serde(rename = "rank2-nopost")]
    Rank2NoPost,
}

/// All experiment names as written in records.
pub const EXPERIMENT_NAMES: &[&str] = &[
    "nopost",
    "post",
    "long-tau",
    "no-memory",
    "rank2-post",
    "rank2-nopost",
];

impl Experiment {
    /// The name written in records and run ids.
    pub fn name(&self) -> &'static str {
        match self {
            Experiment::NoPost => "nopost",
            Experiment::Post => "post",
            Experiment::LongTau => "long-tau",
            Experiment::NoMemory => "no-memory",
            Experiment::Rank2Post => "rank2-post",
            Experiment::Rank2NoPost => "rank2-nopost",
        }
    }

    /// Parse a record/experiment name (`no-post` is accepted for `nopost`).
    pub fn from_name(s: &str) -> Result<Experiment> {
        Ok(match s {
            "nopost" | "no-post" => Experiment::NoPost,
            "post" => Experiment::Post,
            "long-tau" => Experiment::LongTau,
            "no-memory" => Experiment::NoMemory,
            "rank2-post" => Experiment::Rank2Post,
            "rank2-nopost" => Experiment::Rank2NoPost,
            _ => return Err(Error::unknown("experiment", s, EXPERIMENT_NAMES)),
        })
    }

    /// The outcome labels of this experiment's networks (see [`crate::outcome::Outcome`]).
    pub fn labels(&self) -> Labels {
        match self {
            Experiment::NoMemory => Labels::FixedWindow,
            Experiment::Rank2Post | Experiment::Rank2NoPost => Labels::Rank2,
            _ => Labels::Dcdt,
        }
    }

    /// True for the rank-2 experiments.
    pub fn is_rank2(&self) -> bool {
        matches!(self, Experiment::Rank2Post | Experiment::Rank2NoPost)
    }

    /// True if learned networks get a mechanism class (LC vs SP / rotation vs none); false for
    /// the no-memory control, whose classes are only 0 (not learned) and 1 (correct).
    pub fn has_mechanism(&self) -> bool {
        !matches!(self, Experiment::NoMemory)
    }

    /// Validate a delay (window) in ms for this experiment: a whole number of 5 ms steps;
    /// strictly positive for the no-memory windows and the rank-2 delays; DCDT delays on the
    /// 20 ms (long-τ: 40 ms) lattice of the reference's window formula (docs/tasks.md, docs/outcomes.md).
    pub fn check_delay_ms(&self, d: u32) -> Result<()> {
        let (step, positive) = match self {
            Experiment::NoPost | Experiment::Post => (20, false),
            Experiment::LongTau => (40, false),
            Experiment::NoMemory => (20, true),
            Experiment::Rank2Post | Experiment::Rank2NoPost => (5, true),
        };
        if !d.is_multiple_of(step) || (positive && d == 0) {
            return Err(Error::invalid(
                "delays-ms",
                format!(
                    "{d} ms is not valid for experiment {}: expected a {}multiple of {step} ms",
                    self.name(),
                    if positive { "positive " } else { "" }
                ),
            ));
        }
        Ok(())
    }
}

impl Experiment {
    /// The full-rank experiments whose phase diagram has a scaling fit (docs/fits.md):
    /// no post period (Fig 4C, S3F), post period (Fig 4F), long τ (Fig S5) and the no-memory
    /// control (Fig S6C, transposed fit).
    pub const FITTED: [Experiment; 4] = [
        Experiment::NoPost,
        Experiment::Post,
        Experiment::LongTau,
        Experiment::NoMemory,
    ];

    /// True if the experiment's phase diagram has a scaling fit (see [`Experiment::FITTED`]).
    pub fn has_scaling_fit(&self) -> bool {
        Self::FITTED.contains(self)
    }

    /// Parse the name of an experiment with a scaling fit (command-line `--experiment` of the
    /// fitting commands); a rank-2 experiment is an error that lists the accepted names.
    pub fn parse_fitted(s: &str) -> Result<Experiment> {
        let e = Self::from_name(s)?;
        if e.has_scaling_fit() {
            Ok(e)
        } else {
            Err(Error::unknown(
                "experiment",
                s,
                &Self::FITTED.map(|e| e.name()),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for n in EXPERIMENT_NAMES {
            assert_eq!(Experiment::from_name(n).unwrap().name(), *n);
        }
        assert!(Experiment::from_name("x").is_err());
    }

    #[test]
    fn delay_validation() {
        assert!(Experiment::NoPost.check_delay_ms(0).is_ok());
        assert!(Experiment::NoPost.check_delay_ms(30).is_err());
        assert!(Experiment::LongTau.check_delay_ms(20).is_err());
        assert!(Experiment::NoMemory.check_delay_ms(0).is_err());
        assert!(Experiment::Rank2Post.check_delay_ms(35).is_ok());
    }

    #[test]
    fn fitted_experiments() {
        assert_eq!(
            Experiment::from_name("no-post").unwrap(),
            Experiment::NoPost
        );
        assert!(Experiment::parse_fitted("long-tau").is_ok());
        assert!(Experiment::parse_fitted("rank2-post").is_err());
        assert!(Experiment::parse_fitted("x").is_err());
    }
}
