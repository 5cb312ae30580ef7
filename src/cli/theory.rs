//! `dynphase theory`.

use clap::Args;

/// Arguments of `dynphase theory`.
#[derive(Debug, Args)]
pub struct TheoryArgs {}

/// Run `dynphase theory`.
pub fn run(_args: &TheoryArgs) -> crate::Result<()> {
    Err(crate::Error::invalid("theory", "not available yet"))
}
