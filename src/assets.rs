//! Data of the paper and of its reference implementation that the crate ships with: the
//! published exponents the results table compares with, and the reference's seed-30 rank-2
//! network at initialisation (the network of Figs 2, 3 and S1). Figures, fits and tests read
//! them from here.

use std::path::Path;

use crate::experiment::Experiment;
use crate::fit::Boundary;
use crate::io::network::rank2_from_json_str;
use crate::rnn::model::Rank2Params;
use crate::Result;

/// A published exponent, β ± its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaperValue {
    /// The exponent β.
    pub beta: f64,
    /// Its standard error.
    pub se: f64,
}

impl PaperValue {
    /// β ± se.
    pub const fn new(beta: f64, se: f64) -> Self {
        PaperValue { beta, se }
    }
}

/// The paper's no-solution exponent without post period (Fig 4C).
pub const PAPER_NO_SOLUTION: PaperValue = PaperValue::new(2.72, 0.07);
/// The paper's slow-point exponent (Fig S3F).
pub const PAPER_SLOW_POINT: PaperValue = PaperValue::new(4.05, 0.10);
/// The paper's no-solution exponent with the 30 ms post period (Fig 4F).
pub const PAPER_POST: PaperValue = PaperValue::new(2.65, 0.23);
/// The paper's critical-learning-rate exponent of the no-memory control (Fig S6C).
pub const PAPER_NO_MEMORY: PaperValue = PaperValue::new(0.38, 0.02);

/// The paper's value for a boundary, `None` where the paper gives none (long τ, and the
/// slow-point boundary of the post experiment).
pub fn paper_value(experiment: Experiment, boundary: Boundary) -> Option<PaperValue> {
    match (experiment, boundary) {
        (Experiment::NoPost, Boundary::Failure) => Some(PAPER_NO_SOLUTION),
        (Experiment::NoPost, Boundary::SlowPoint) => Some(PAPER_SLOW_POINT),
        (Experiment::Post, Boundary::Failure) => Some(PAPER_POST),
        (Experiment::NoMemory, _) => Some(PAPER_NO_MEMORY),
        _ => None,
    }
}

/// The reference implementation's seed-30 rank-2 network at initialisation (docs/models.md),
/// the JSON export `tests/data/rank2_seed30_init.json` compiled into the crate.
pub fn rank2_seed30_init() -> Result<Rank2Params<f32>> {
    rank2_from_json_str(
        include_str!("../tests/data/rank2_seed30_init.json"),
        Path::new("rank2_seed30_init.json"),
    )
}
