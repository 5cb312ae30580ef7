//! What a trained network does: the mechanism that bridges the delay and the outcome class of
//! a trained network (docs/outcomes.md, docs/mechanism-index.md). One type each, shared by the
//! toy theory, the trainer's scoring, the analysis, the sweep records, the fits and the figures.

/// Index threshold separating LC (index < 0.5) from SP (docs/mechanism-index.md step 8).
pub const INDEX_THRESHOLD: f64 = 0.5;

/// The two delay-bridging mechanisms of the paper (Sec. 2–3): a slow-point manifold (the
/// ghost of a saddle-node, the saddle-node toy model) or a limit cycle (the limit-cycle toy model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Mechanism {
    /// Limit cycle (class 1): the activity keeps rotating after the trial.
    LimitCycle,
    /// Slow-point (ghost) manifold (class 2): the activity slows down and settles.
    SlowPoint,
}

impl Mechanism {
    /// The spectral label of an index value: LC if index < 0.5, otherwise SP; NaN → SP (docs/mechanism-index.md).
    pub fn from_index(index: f64) -> Self {
        if index < INDEX_THRESHOLD {
            Mechanism::LimitCycle
        } else {
            Mechanism::SlowPoint
        }
    }

    /// Short label, `"LC"` or `"SP"`.
    pub fn short(self) -> &'static str {
        match self {
            Mechanism::LimitCycle => "LC",
            Mechanism::SlowPoint => "SP",
        }
    }
}

impl std::fmt::Display for Mechanism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.short())
    }
}

/// The outcome class of one trained network (docs/outcomes.md).
///
/// Records store it as the class number of [`Outcome::code`] (`"class"` in `runs.jsonl`),
/// whose meaning depends on the experiment; [`Outcome::from_code`] reads it back:
///
/// | code | DCDT (no post, post, long τ) | no-memory control | rank-2 post study |
/// |---|---|---|---|
/// | 0 | [`NotLearned`](Outcome::NotLearned) | `NotLearned` | `NotLearned` |
/// | 1 | [`LimitCycle`](Outcome::LimitCycle) | [`Correct`](Outcome::Correct) | `LimitCycle` (rotation) |
/// | 2 | [`SlowPoint`](Outcome::SlowPoint) | — | [`NoRotation`](Outcome::NoRotation) |
/// | 3 | [`Unstable`](Outcome::Unstable) | — | — |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Not learned, with stable learning dynamics.
    NotLearned,
    /// Learned with a limit cycle (DCDT: spectral index < [`INDEX_THRESHOLD`]; rank-2: the
    /// latent state rotates).
    LimitCycle,
    /// Learned with a slow-point manifold (DCDT: index ≥ [`INDEX_THRESHOLD`] or NaN).
    SlowPoint,
    /// Not learned because learning was unstable (accuracy or reliability fell back after the
    /// first success).
    Unstable,
    /// Learned, in an experiment without a mechanism label (the no-memory control).
    Correct,
    /// Learned without rotation (rank-2 post study).
    NoRotation,
}

/// The kind of outcome labels an experiment's networks get (see [`Outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Labels {
    /// Full-rank DCDT: not learned, LC, SP, unstable.
    Dcdt,
    /// No-memory control: not learned, correct.
    FixedWindow,
    /// Rank-2 post study: not learned, rotation, no rotation.
    Rank2,
}

impl Outcome {
    /// The outcome of a learned/stable DCDT network with spectral index `index` (ignored
    /// unless learned; NaN labels SP, docs/mechanism-index.md).
    pub fn dcdt(learned: bool, stable: bool, index: f64) -> Outcome {
        match (learned, stable) {
            (false, true) => Outcome::NotLearned,
            (false, false) => Outcome::Unstable,
            (true, _) => Mechanism::from_index(index).into(),
        }
    }

    /// The class number written in records (see the table of [`Outcome`]).
    pub fn code(self) -> u8 {
        match self {
            Outcome::NotLearned => 0,
            Outcome::LimitCycle | Outcome::Correct => 1,
            Outcome::SlowPoint | Outcome::NoRotation => 2,
            Outcome::Unstable => 3,
        }
    }

    /// Read a class number back for an experiment with `labels`; `None` if the code is not a
    /// class of that experiment.
    pub fn from_code(code: u8, labels: Labels) -> Option<Outcome> {
        Some(match (labels, code) {
            (_, 0) => Outcome::NotLearned,
            (Labels::Dcdt | Labels::Rank2, 1) => Outcome::LimitCycle,
            (Labels::FixedWindow, 1) => Outcome::Correct,
            (Labels::Dcdt, 2) => Outcome::SlowPoint,
            (Labels::Rank2, 2) => Outcome::NoRotation,
            (Labels::Dcdt, 3) => Outcome::Unstable,
            _ => return None,
        })
    }

    /// Every outcome an experiment with `labels` can have, in code order.
    pub fn all(labels: Labels) -> &'static [Outcome] {
        match labels {
            Labels::Dcdt => &[
                Outcome::NotLearned,
                Outcome::LimitCycle,
                Outcome::SlowPoint,
                Outcome::Unstable,
            ],
            Labels::FixedWindow => &[Outcome::NotLearned, Outcome::Correct],
            Labels::Rank2 => &[
                Outcome::NotLearned,
                Outcome::LimitCycle,
                Outcome::NoRotation,
            ],
        }
    }

    /// True for the outcomes that count as not learned in the fits (not learned and unstable;
    /// docs/fits.md).
    pub fn not_learned(self) -> bool {
        matches!(self, Outcome::NotLearned | Outcome::Unstable)
    }

    /// The mechanism of a learned DCDT network.
    pub fn mechanism(self) -> Option<Mechanism> {
        match self {
            Outcome::LimitCycle => Some(Mechanism::LimitCycle),
            Outcome::SlowPoint => Some(Mechanism::SlowPoint),
            _ => None,
        }
    }

    /// The legend label of the figures ("Not learned", "Limit cycle", …).
    pub fn label(self) -> &'static str {
        match self {
            Outcome::NotLearned => "Not learned",
            Outcome::LimitCycle => "Limit cycle",
            Outcome::SlowPoint => "Slow point",
            Outcome::Unstable => "Unstable",
            Outcome::Correct => "Correct",
            Outcome::NoRotation => "No rotation",
        }
    }
}

impl From<Mechanism> for Outcome {
    fn from(m: Mechanism) -> Outcome {
        match m {
            Mechanism::LimitCycle => Outcome::LimitCycle,
            Mechanism::SlowPoint => Outcome::SlowPoint,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_per_experiment_kind() {
        for labels in [Labels::Dcdt, Labels::FixedWindow, Labels::Rank2] {
            for (i, &o) in Outcome::all(labels).iter().enumerate() {
                assert_eq!(o.code() as usize, i);
                assert_eq!(Outcome::from_code(o.code(), labels), Some(o));
            }
            let n = Outcome::all(labels).len() as u8;
            assert_eq!(Outcome::from_code(n, labels), None);
        }
    }

    #[test]
    fn dcdt_rule() {
        assert_eq!(Outcome::dcdt(false, true, 0.1), Outcome::NotLearned);
        assert_eq!(Outcome::dcdt(false, false, 0.1), Outcome::Unstable);
        assert_eq!(Outcome::dcdt(true, false, 0.49), Outcome::LimitCycle);
        assert_eq!(Outcome::dcdt(true, true, 0.5), Outcome::SlowPoint);
        assert_eq!(Outcome::dcdt(true, true, f64::NAN), Outcome::SlowPoint);
        assert!(Outcome::Unstable.not_learned() && !Outcome::Correct.not_learned());
    }
}
