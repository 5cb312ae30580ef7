//! `dynphase classify` and `dynphase fixed-points`.

use clap::Args;

/// Arguments of `dynphase classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {}

/// Arguments of `dynphase fixed-points`.
#[derive(Debug, Args)]
pub struct FixedPointsArgs {}

/// Run `dynphase classify`.
pub fn run_classify(_args: &ClassifyArgs) -> crate::Result<()> {
    Err(crate::Error::invalid("classify", "not available yet"))
}

/// Run `dynphase fixed-points`.
pub fn run_fixed_points(_args: &FixedPointsArgs) -> crate::Result<()> {
    Err(crate::Error::invalid("fixed-points", "not available yet"))
}
