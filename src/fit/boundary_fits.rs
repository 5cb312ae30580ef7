//! Both fits of one boundary of a phase table, as the sweep figures show them: the paper's
//! two-step fit ([`two_step`]) and the binomial likelihood fit ([`fit_mle`]), each with the
//! paper's setup ([`ScalingSetup::paper`]).

use super::{
    fit_mle, two_step, Boundary, Experiment, MleOptions, MleResult, PhaseTable, ScalingSetup,
    TwoStepResult,
};
use crate::Result;

/// The two fits of one boundary; a failed fit keeps its error.
#[derive(Debug)]
pub struct BoundaryFits {
    /// The boundary.
    pub boundary: Boundary,
    /// The two-step fit.
    pub two_step: Result<TwoStepResult>,
    /// The likelihood fit; `None` (not attempted) when the two-step fit failed.
    pub likelihood: Option<Result<MleResult>>,
}

impl BoundaryFits {
    /// Fit `boundary` of `experiment`'s `table` with the paper's setup.
    pub fn paper(table: &PhaseTable, experiment: Experiment, boundary: Boundary) -> Self {
        let setup = ScalingSetup::paper(experiment, boundary);
        let two_step = two_step(table, &setup);
        let likelihood = two_step
            .is_ok()
            .then(|| fit_mle(table, &setup, &MleOptions::default()));
        BoundaryFits {
            boundary,
            two_step,
            likelihood,
        }
    }

    /// The two-step fit, if it succeeded.
    pub fn two_step_fit(&self) -> Option<&TwoStepResult> {
        self.two_step.as_ref().ok()
    }

    /// The likelihood fit, if it succeeded with a finite exponent.
    pub fn likelihood_fit(&self) -> Option<&MleResult> {
        match &self.likelihood {
            Some(Ok(r)) if r.beta.is_finite() => Some(r),
            _ => None,
        }
    }

    /// One line per failed fit, naming the boundary, `what` (e.g. the experiment) and the
    /// error: the two-step fit, then the likelihood fit.
    pub fn failures(&self, what: &str) -> Vec<String> {
        let b = self.boundary;
        let mut out = Vec::new();
        if let Err(e) = &self.two_step {
            out.push(format!("no {b:?} scaling fit for {what}: {e}"));
        }
        if let Some(Err(e)) = &self.likelihood {
            out.push(format!("no {b:?} likelihood fit for {what}: {e}"));
        }
        out
    }
}
