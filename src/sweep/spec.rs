//! What one network of a sweep is: its experiment, learning rate, delay, seed and budget.

use serde::{Deserialize, Serialize};

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

    /// Parse a record/experiment name.
    pub fn from_name(s: &str) -> Result<Experiment> {
        Ok(match s {
            "nopost" => Experiment::NoPost,
            "post" => Experiment::Post,
            "long-tau" => Experiment::LongTau,
            "no-memory" => Experiment::NoMemory,
            "rank2-post" => Experiment::Rank2Post,
            "rank2-nopost" => Experiment::Rank2NoPost,
            _ => return Err(Error::unknown("experiment", s, EXPERIMENT_NAMES)),
        })
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

/// One network of a sweep. Its outcome is a pure function of these fields.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// Task/model variant.
    pub experiment: Experiment,
    /// Learning rate η.
    pub lr: f64,
    /// Delay in ms (no-memory: response window; rank-2: 5 ms × T steps).
    pub delay_ms: u32,
    /// Network seed (initial weights depend on it only; docs/training.md).
    pub seed: u64,
    /// Epoch budget.
    pub epochs: u64,
}

/// The stable identifier of a run: `"{experiment}/lr={lr}/delay={delay_ms}/seed={seed}"`, with
/// `lr` in Rust's shortest round-trip decimal form (e.g. `nopost/lr=0.1/delay=20/seed=3`).
/// The epoch budget is not part of the id: it is a function of the preset, which the sweep
/// manifest pins.
pub fn run_id(experiment: Experiment, lr: f64, delay_ms: u32, seed: u64) -> String {
    format!(
        "{}/lr={}/delay={}/seed={}",
        experiment.name(),
        lr,
        delay_ms,
        seed
    )
}

impl RunSpec {
    /// This run's id (see [`run_id`]).
    pub fn id(&self) -> String {
        run_id(self.experiment, self.lr, self.delay_ms, self.seed)
    }

    /// A 64-bit hash of the id (FNV-1a), for deriving auxiliary random streams.
    pub fn id_hash(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.id().bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }

    /// Relative cost estimate (epochs × trial steps), used to schedule long runs first.
    pub fn cost(&self) -> f64 {
        let steps = match self.experiment {
            Experiment::NoPost | Experiment::LongTau => 16.0 + self.delay_ms as f64 / 5.0,
            Experiment::Post => 22.0 + self.delay_ms as f64 / 5.0,
            Experiment::NoMemory => 6.0 + self.delay_ms as f64 / 5.0,
            Experiment::Rank2Post => self.delay_ms as f64 / 5.0 + 8.0,
            Experiment::Rank2NoPost => self.delay_ms as f64 / 5.0 + 2.0,
        };
        steps * self.epochs as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_strings() {
        let s = RunSpec {
            experiment: Experiment::NoPost,
            lr: 0.1,
            delay_ms: 20,
            seed: 3,
            epochs: 1000,
        };
        assert_eq!(s.id(), "nopost/lr=0.1/delay=20/seed=3");
        assert_eq!(
            run_id(Experiment::NoMemory, 1e-3, 400, 19),
            "no-memory/lr=0.001/delay=400/seed=19"
        );
    }

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
}
