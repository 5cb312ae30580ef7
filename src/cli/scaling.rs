//! `dynphase scaling`.

use clap::Args;

/// Arguments of `dynphase scaling`.
#[derive(Debug, Args)]
pub struct ScalingArgs {}

/// Run `dynphase scaling`.
pub fn run(_args: &ScalingArgs) -> crate::Result<()> {
    Err(crate::Error::invalid("scaling", "not available yet"))
}
