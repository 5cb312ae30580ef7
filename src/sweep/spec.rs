//! What one network of a sweep is: its experiment, learning rate, delay, seed and budget.

pub use crate::experiment::{Experiment, EXPERIMENT_NAMES};

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
}
