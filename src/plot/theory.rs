//! Figures of the `theory` family.

use std::path::{Path, PathBuf};

/// Render every figure of this family into `out_dir`; returns the files written.
pub fn render_all(out_dir: &Path) -> crate::Result<Vec<PathBuf>> {
    let _ = out_dir;
    Err(crate::Error::invalid(
        "figures",
        "the theory figures are not available yet",
    ))
}
