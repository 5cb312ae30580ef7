//! `dynphase fit-power-law`.

use clap::Args;

/// Arguments of `dynphase fit-power-law`.
#[derive(Debug, Args)]
pub struct FitPowerLawArgs {}

/// Run `dynphase fit-power-law`.
pub fn run(_args: &FitPowerLawArgs) -> crate::Result<()> {
    Err(crate::Error::invalid("fit-power-law", "not available yet"))
}
