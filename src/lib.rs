//! # dynphase
//!
//! Dynamical theory of short-term memory in recurrent neural networks: the two mechanisms by
//! which an RNN bridges a delay — a slow-point (ghost) manifold and a limit cycle — their toy
//! models and critical learning rates, a fast CPU RNN trainer, mechanism analysis and the
//! learning-rate x delay sweeps that map the dynamical phases (Kurtkaya, Dinc et al., ICML 2025,
//! "Dynamical phases of short-term memory mechanisms in RNNs", arXiv 2502.17433).
//!
//! The user guide is organised by module:
//!
//! * [`ode`] — dynamical systems: [`ode::System`], the one vector-field trait of the crate
//!   (the integrators, the toy models' numerics through [`toy::FieldAt`], and, through its
//!   autonomous extension [`analysis::VectorField`], the fixed-point finder, the orbit shooting
//!   and the continuation all take it); fixed-step and adaptive integrators, threshold crossings.
//! * [`toy`] — the [`toy::ToyModel`] trait, the saddle-node and limit-cycle toy models and the
//!   generic numerics [`toy::ToyNumerics`] (loss, gradient, r*, r_NL, eta*, gradient-descent
//!   simulation). To add a model, implement the required methods of [`toy::ToyModel`]
//!   (windows, state ODE, initial state, readout indicator, a search range for r*); the loss,
//!   its slopes, r*, r_NL, eta*, the GD simulator and the GD boundary then come from the
//!   integrated ODE, and [`toy::testing`] checks them against closed forms. See the [`toy`]
//!   module docs and `examples/custom_toy_model.rs` (the SNIC oscillator theta' = r - cos theta).
//! * [`experiment`], [`outcome`], [`grid`] — one type each for the paper's experiments, the
//!   mechanism and outcome class of a trained network, and the paper's grids.
//! * [`theory`] — critical learning-rate tables, local exponents, the three phases.
//! * [`fit`] — power laws with honest uncertainty, Levenberg–Marquardt onset fits.
//! * [`rnn`] — full-rank and rank-2 RNNs, the paper's tasks, BPTT, optimisers, training.
//! * [`analysis`] — spectral mechanism index, fixed/slow points, out-of-trial dynamics.
//! * [`sweep`] — resumable, sharded sweeps and their aggregation into phase diagrams.
//! * [`io`] — `.npz` networks and `.npy` arrays readable by numpy.
//! * [`plot`] — the paper's figures with plotters.
//!
//! # Documentation
//!
//! The repository's `docs/` folder describes the science behind the API, each page citing the
//! paper's figures: `docs/tasks.md` (tasks and loss weights), `docs/models.md` (the full-rank
//! and rank-2 RNNs), `docs/training.md` (optimisers, grids, budgets, seeds and streams),
//! `docs/outcomes.md` (accuracy, reliability, the scoring window, outcome classes),
//! `docs/mechanism-index.md` (the spectral index and the dynamical classifier),
//! `docs/toy-theory.md` (toy models, critical learning rates, the three phases),
//! `docs/fits.md` (onset fits, power laws, headline exponents), `docs/sweeps.md` (presets,
//! store, shards) and `docs/decisions.md` (choices made where the reference implementation is
//! ambiguous). Module docs refer to these pages by name.

#![warn(missing_docs)]

pub mod analysis;
pub mod assets;
pub mod cli;
pub mod error;
pub mod experiment;
pub mod fit;
pub mod grid;
pub mod io;
pub mod ode;
pub mod outcome;
pub mod plot;
pub mod rnn;
pub mod sweep;
pub mod theory;
pub mod toy;

pub use error::{Error, Result};
