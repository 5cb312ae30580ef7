//! Full-rank and rank-2 continuous-time RNNs, the paper's tasks, BPTT, optimisers and the
//! trainer (SPEC 2–5).
//!
//! * [`float`] — the `f32`/`f64` abstraction with fast `tanh` and GEMM kernels.
//! * [`rng`] — named ChaCha8 random streams (INIT, TRAIN, CLASSIFY, BAND).
//! * [`model`] — parameter structs ([`FullRankParams`], [`Rank2Params`]), initialisation and
//!   single-trial simulation used by the analysis code.

pub mod float;
pub mod full_rank;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod rank2;
pub mod rng;
pub mod task;
pub mod train;

pub use float::Float;
pub use model::{
    alpha, rank2_rollout, simulate_trial, simulate_trial_noise_free, simulate_trial_rng,
    FullRankParams, Rank2Params, Rank2Rollout, Readout,
};
