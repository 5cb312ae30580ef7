//! The paper's tasks (docs/tasks.md): inputs, targets, loss weights, trial lengths and accuracy
//! windows, plus the learning-rate grids and epoch budgets of docs/training.md.

use super::float::Float;
use super::model::{alpha, Readout, DT_MS, TAU_LONG_MS, TAU_MS};

/// Batch size of every full-rank task (2 classes × 64 trials; trial i has class i mod 2).
pub const BATCH: usize = 128;
/// Cue duration, ms (6 steps).
pub const CUE_MS: u32 = 30;
/// Response duration of the DCDT, ms (10 steps).
pub const RESPONSE_MS: u32 = 50;
/// Post-response period, ms (6 steps; docs/decisions.md).
pub const POST_MS: u32 = 30;

/// Which half of the accuracy window convention to use (docs/outcomes.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowMode {
    /// The reference's f64-seconds truncation formula (default; one step early, glitches).
    #[default]
    Reference,
    /// The true response window: DCDT [6+n_d, 16+n_d), fixed-window [6, 6+n_r).
    Corrected,
}

/// Convert a duration in ms to whole steps of Δt = 5 ms; errors unless it is a
/// non-negative multiple of 5 ms.
pub fn ms_to_steps(name: &str, ms: f64) -> crate::Result<usize> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(crate::Error::invalid(
            name,
            format!("must be a non-negative duration in ms, got {ms}"),
        ));
    }
    let steps = ms / DT_MS;
    if (steps - steps.round()).abs() > 1e-9 || steps > 1e7 {
        return Err(crate::Error::invalid(
            name,
            format!("must be a multiple of {DT_MS} ms, got {ms}"),
        ));
    }
    Ok(steps.round() as usize)
}

/// The reference accuracy window (docs/outcomes.md), in f64 seconds:
/// a = trunc((T_in + D)/dt − 1), b = trunc(((T_in + D) + T_r)/dt − 1), with
/// T_in = 0.030, dt = 0.005 and D, T_r in seconds.
///
/// `delay_s` must be computed as the reference does: D = l·0.020 (long-τ l·0.040); see
/// [`grid_seconds`]. Returns the raw (a, b), possibly extending past the trial.
pub fn reference_window_raw(delay_s: f64, response_s: f64) -> (i64, i64) {
    let t_in = 0.030f64;
    let dt = 0.005f64;
    let a = ((t_in + delay_s) / dt - 1.0).trunc() as i64;
    let b = (((t_in + delay_s) + response_s) / dt - 1.0).trunc() as i64;
    (a, b)
}

/// A duration of `ms` expressed in seconds the way the reference's grids produce it:
/// l·(grid/1000) with l = ms/grid when `ms` is a multiple of `grid_ms`, else ms/1000.
pub fn grid_seconds(ms: u32, grid_ms: u32) -> f64 {
    if grid_ms > 0 && ms.is_multiple_of(grid_ms) {
        (ms / grid_ms) as f64 * (grid_ms as f64 / 1000.0)
    } else {
        ms as f64 / 1000.0
    }
}

/// Description of a full-rank task (docs/tasks.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FullRankTaskKind {
    /// Delayed cue-discrimination task.
    Dcdt {
        /// Delay, ms (multiple of 5; the paper's grids use multiples of 20 or 40).
        delay_ms: u32,
        /// Whether the 30 ms post period follows the response (K = 16 instead of 10).
        post: bool,
        /// Membrane time constant, ms (10, or 20 for long-τ).
        tau_ms: f64,
    },
    /// No-memory / fixed-window control task with response window R.
    NoMemory {
        /// Response window R, ms (multiple of 5; the grid is 20…400).
        window_ms: u32,
    },
}

/// A fully specified full-rank task: per-step inputs, targets and weights for each class.
#[derive(Debug, Clone, PartialEq)]
pub struct FullRankTask<T> {
    /// What this task is.
    pub kind: FullRankTaskKind,
    /// Trial length L (steps).
    pub steps: usize,
    /// Batch size B (trial i has class i mod 2).
    pub batch: usize,
    /// Inputs u_t for class c at index `2t + c`.
    pub inputs: Vec<[T; 2]>,
    /// Targets y_t for class c at index `2t + c`.
    pub targets: Vec<[T; 2]>,
    /// Loss weight w_t per step (both channels alike).
    pub weights: Vec<T>,
    /// Readout of the model trained on this task.
    pub readout: Readout,
    /// Leak α = Δt/τ.
    pub alpha: T,
    /// Scored window [a, b) for accuracy/reliability, clipped to [0, L].
    pub window: (usize, usize),
}

/// e(c): class 0 → [0, 1], class 1 → [1, 0].
fn e<T: Float>(c: usize) -> [T; 2] {
    if c == 0 {
        [T::zero(), T::one()]
    } else {
        [T::one(), T::zero()]
    }
}

/// Inputs and targets of the two trials (class 0 and 1, interleaved) of length `l`: the cue
/// e(c) on the first `cue` steps, the target e(c) on the steps of `target`, zero elsewhere.
fn trial_pair<T: Float>(
    l: usize,
    cue: usize,
    target: std::ops::Range<usize>,
) -> (Vec<[T; 2]>, Vec<[T; 2]>) {
    let mut inputs = vec![[T::zero(); 2]; 2 * l];
    let mut targets = vec![[T::zero(); 2]; 2 * l];
    for t in 0..l {
        for c in 0..2 {
            if t < cue {
                inputs[2 * t + c] = e(c);
            }
            if target.contains(&t) {
                targets[2 * t + c] = e(c);
            }
        }
    }
    (inputs, targets)
}

impl<T: Float> FullRankTask<T> {
    /// Build a task with the given window convention; errors for durations that are not
    /// multiples of 5 ms, a zero fixed window or a non-positive τ.
    pub fn new(kind: FullRankTaskKind, window: WindowMode) -> crate::Result<Self> {
        let cue = (CUE_MS / 5) as usize;
        // Per kind: trial length, target steps, loss weights, readout, τ and scored window.
        let (l, target, weights, readout, tau_ms, win) = match kind {
            FullRankTaskKind::Dcdt {
                delay_ms,
                post,
                tau_ms,
            } => {
                crate::error::check_positive("tau_ms", tau_ms)?;
                let nd = ms_to_steps("delay_ms", delay_ms as f64)?;
                let nr = (RESPONSE_MS / 5) as usize;
                let np = if post { (POST_MS / 5) as usize } else { 0 };
                let l = cue + nd + nr + np;
                let k = if post { nr + np } else { nr };
                let kl = k as f64 / l as f64;
                let weights = (0..l)
                    .map(|t| T::from_f64(if t + k >= l { 1.0 - kl } else { kl }))
                    .collect();
                let win = match window {
                    WindowMode::Reference => {
                        let grid = if tau_ms == TAU_LONG_MS { 40 } else { 20 };
                        let (a, b) = reference_window_raw(
                            grid_seconds(delay_ms, grid),
                            RESPONSE_MS as f64 / 1000.0,
                        );
                        clip_window(a, b, l)
                    }
                    WindowMode::Corrected => (cue + nd, cue + nd + nr),
                };
                let target = cue + nd..cue + nd + nr;
                (l, target, weights, Readout::Sigmoid, tau_ms, win)
            }
            FullRankTaskKind::NoMemory { window_ms } => {
                let nr = ms_to_steps("window_ms", window_ms as f64)?;
                if nr == 0 {
                    return Err(crate::Error::invalid("window_ms", "must be positive"));
                }
                let l = cue + nr;
                let win = match window {
                    WindowMode::Reference => {
                        let r = grid_seconds(window_ms, 20);
                        let (a, b) = reference_window_raw(r, r);
                        clip_window(a, b, l)
                    }
                    WindowMode::Corrected => (cue, cue + nr),
                };
                (l, 0..l, vec![T::one(); l], Readout::Linear, TAU_MS, win)
            }
        };
        let (inputs, targets) = trial_pair(l, cue, target);
        Ok(FullRankTask {
            kind,
            steps: l,
            batch: BATCH,
            inputs,
            targets,
            weights,
            readout,
            alpha: T::from_f64(alpha(tau_ms)),
            window: win,
        })
    }

    /// The same task with a different batch size (tests, small examples); classes stay i mod 2.
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch;
        self
    }

    /// Class of trial `i` (i mod 2).
    pub fn class_of(i: usize) -> usize {
        i % 2
    }
}

fn clip_window(a: i64, b: i64, l: usize) -> (usize, usize) {
    let a = a.clamp(0, l as i64) as usize;
    let b = b.clamp(0, l as i64) as usize;
    (a, b.max(a))
}

/// The rank-2 delayed-activation task (docs/tasks.md): one deterministic trajectory of `total`
/// steps with scalar target y = T zeros, R ones, P zeros; weights 1 − T/total on the first
/// T steps and T/total afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Rank2Task<T> {
    /// Delay T (steps).
    pub delay_steps: usize,
    /// Response R (steps).
    pub response_steps: usize,
    /// Post P (steps, zero target).
    pub post_steps: usize,
    /// Targets y_t, t = 0…total−1.
    pub targets: Vec<T>,
    /// Loss weights w_t.
    pub weights: Vec<T>,
    /// Leak α (0.5).
    pub alpha: T,
}

impl<T: Float> Rank2Task<T> {
    /// Build from durations in ms (each a multiple of 5 ms; response > 0): e.g. the Fig 2 task
    /// is (75, 10, 0) → T = 15, R = 2, total 17, weights 2/17 and 15/17; the Fig 3 post task
    /// (30, 10, 30) → T = 6, R = 2, P = 6, total 14.
    pub fn from_ms(delay_ms: f64, response_ms: f64, post_ms: f64) -> crate::Result<Self> {
        let t = ms_to_steps("delay_ms", delay_ms)?;
        let r = ms_to_steps("response_ms", response_ms)?;
        let p = ms_to_steps("post_ms", post_ms)?;
        Self::from_steps(t, r, p)
    }

    /// Build from step counts (response ≥ 1).
    pub fn from_steps(delay: usize, response: usize, post: usize) -> crate::Result<Self> {
        if response == 0 {
            return Err(crate::Error::invalid(
                "response",
                "must be at least one step",
            ));
        }
        let total = delay + response + post;
        let mut targets = vec![T::zero(); total];
        for y in targets.iter_mut().skip(delay).take(response) {
            *y = T::one();
        }
        let f = delay as f64 / total as f64;
        let weights = (0..total)
            .map(|i| T::from_f64(if i < delay { 1.0 - f } else { f }))
            .collect();
        Ok(Rank2Task {
            delay_steps: delay,
            response_steps: response,
            post_steps: post,
            targets,
            weights,
            alpha: T::from_f64(alpha(TAU_MS)),
        })
    }

    /// Trial length (steps).
    pub fn total(&self) -> usize {
        self.targets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_dcdt() {
        let t: FullRankTask<f64> = FullRankTask::new(
            FullRankTaskKind::Dcdt {
                delay_ms: 200,
                post: false,
                tau_ms: 10.0,
            },
            WindowMode::Reference,
        )
        .unwrap();
        assert_eq!(t.steps, 56);
        assert_eq!(t.weights[45], 10.0 / 56.0);
        assert_eq!(t.weights[46], 1.0 - 10.0 / 56.0);
        assert_eq!(t.window, (45, 55));
    }
}
