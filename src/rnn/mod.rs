//! Full-rank and rank-2 continuous-time RNNs, the paper's tasks, BPTT, optimisers and the
//! trainer (docs/tasks.md).
//!
//! * [`model`] — parameter structs in PyTorch orientation ([`FullRankParams`],
//!   [`Rank2Params`]), PyTorch-default / docs/models.md initialisation from the INIT stream, and
//!   single-trial simulators for analysis ([`simulate_trial`], [`simulate_trial_noise_free`],
//!   [`rank2_rollout`]).
//! * [`task`] — DCDT (with/without post, long τ), the no-memory task and the rank-2
//!   delayed-activation tasks; loss weights, accuracy windows ([`task::WindowMode`]),
//!   learning-rate grids and epoch budgets (docs/training.md).
//! * [`full_rank`] — batched forward pass and BPTT of the full-rank RNN in a preallocated
//!   workspace; [`rank2`] — the same for the rank-2 RNN.
//! * [`optim`] — SGD with momentum and weight decay (PyTorch semantics) and plain SGD.
//! * [`train`] — training loops with histories, the rank-2 early stop and the fixed-window
//!   abort rule; [`metrics`] — accuracy, reliability and the outcome classes (docs/outcomes.md).
//! * [`rng`] — named ChaCha8 streams (INIT, TRAIN, CLASSIFY, BAND) and f32 normal draws.
//! * [`float`], [`kernels`] — the `f32`/`f64` abstraction, vectorised `tanh` and GEMM kernels.
//!
//! ```
//! use dynphase::rnn::{FullRankParams, task::{FullRankTask, FullRankTaskKind, WindowMode}};
//! use dynphase::rnn::train::{train_full_rank, FullRankConfig};
//! let kind = FullRankTaskKind::Dcdt { delay_ms: 40, post: false, tau_ms: 10.0 };
//! let task = FullRankTask::<f32>::new(kind, WindowMode::Reference).unwrap();
//! let cfg = FullRankConfig::for_task(&kind, 0.1, 3, 0);
//! let run = train_full_rank(FullRankParams::init(100, 0), task, &cfg, &mut |_, _| {}).unwrap();
//! assert_eq!(run.history.len(), 3);
//! ```

pub mod float;
pub mod full_rank;
pub mod kernels;
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
pub use train::{
    train_full_rank, train_rank2, FullRankConfig, FullRankTrainer, History, Rank2Config,
    Rank2Trainer,
};
