//! `dynphase sweep`, `merge` and `phase`.

use clap::Args;

/// Arguments of `dynphase sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {}

/// Arguments of `dynphase merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {}

/// Arguments of `dynphase phase`.
#[derive(Debug, Args)]
pub struct PhaseArgs {}

/// Run `dynphase sweep`.
pub fn run_sweep(_args: &SweepArgs) -> crate::Result<()> {
    Err(crate::Error::invalid("sweep", "not available yet"))
}

/// Run `dynphase merge`.
pub fn run_merge(_args: &MergeArgs) -> crate::Result<()> {
    Err(crate::Error::invalid("merge", "not available yet"))
}

/// Run `dynphase phase`.
pub fn run_phase(_args: &PhaseArgs) -> crate::Result<()> {
    Err(crate::Error::invalid("phase", "not available yet"))
}
