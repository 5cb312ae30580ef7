//! `dynphase train`.

use clap::Args;

/// Arguments of `dynphase train`.
#[derive(Debug, Args)]
pub struct TrainArgs {}

/// Run `dynphase train`.
pub fn run(_args: &TrainArgs) -> crate::Result<()> {
    Err(crate::Error::invalid("train", "not available yet"))
}
