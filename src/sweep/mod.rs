//! Sweeps: the paper's learning-rate × delay × seed grids, run resumably and in shards, and
//! their aggregation into phase tables (docs/training.md, docs/fits.md).
//!
//! * [`design`] — sweep design by simulation: synthetic phase tables with realistic scatter.
//! * [`preset`] — named grids ([`Preset::named`]) with the paper's budgets, and overrides.
//! * [`spec`] — [`RunSpec`] (one network) and its stable id [`run_id`].
//! * [`record`] — [`RunRecord`], one JSON line of `runs.jsonl`.
//! * [`store`] — the crash-safe append-only store and the `sweep.json` manifest.
//! * [`runner`] — [`RunExecutor`], [`FakeExecutor`], [`Shard`] and [`run_sweep`].
//! * [`merge`] — [`merge_dirs`] for shard outputs.
//! * [`phase`] — [`phase_table`]: counts per (lr, delay) cell.
//! * [`discover`] — where the sweep figures find their records.
//! * [`status`] — [`status::sweep_status`]: progress and ETA of running shards.
//! * [`results`] — the results table: every boundary's exponent by both estimators beside
//!   the paper's, with networks and core-hours.
//!
//! A sweep directory holds `sweep.json` (preset, overrides, executor, shard) and
//! `runs.jsonl`. Apart from the final `wall_s` field, each record is a pure function of
//! (experiment, lr, delay, seed): thread count, sharding, kills and resumes change only the
//! order of lines, never their content.

pub mod aggregate;
pub mod design;
pub mod discover;
pub mod executor;
pub mod merge;
pub mod phase;
pub mod preset;
pub mod record;
pub mod results;
pub mod runner;
pub mod spec;
pub mod status;
pub mod store;

pub use merge::{merge_dirs, MergeSummary};
pub use phase::{phase_table, PhaseCell, PhaseTable};
pub use preset::{Budget, Grid, Overrides, Preset};
pub use record::{RecordError, RunOutcome, RunRecord};
pub use runner::{run_sweep, FakeExecutor, RunExecutor, Shard, SweepOptions, SweepSummary};
pub use spec::{run_id, Experiment, RunSpec};
pub use store::{read_store, Manifest, RunStore};
