//! Figures with plotters: shared helpers and one submodule per figure family.
//!
//! Every figure is written twice, as PNG and SVG, into the output directory (by default
//! `paper_figures/`).

pub mod analysis;
pub mod rank2;
pub mod sweep;
pub mod theory;
