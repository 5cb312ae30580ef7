//! Figures of sweep results: Fig 4A–F, 4H, 4I, S3A–F, S5A–C, S6A–C.
//!
//! [`render`] draws every figure of one experiment from its records, its phase table and the
//! boundary fits computed by [`crate::fit::BoundaryFits`]; which figures an experiment gets is
//! the table [`figures_of`], and which fits they need [`fitted_boundaries`]. Finding the
//! sweep directories is [`crate::sweep::discover`]'s job. By kind:
//!
//! * [`curves`] — per-class learning curves, mean ± SEM over all networks of a class at the
//!   chosen η, pooled over delays;
//! * [`phase`] — the RGB phase diagram, class fractions against delay, and rows of fractions
//!   with their onset fits;
//! * [`scaling`] — log–log scaling plots of the fitted boundaries;
//! * [`histograms`] — mechanism-index histograms.
//!
//! **Conventions** (paper Fig 4): class colours C0 #1f77b4 not learned, C1 #ff7f0e LC,
//! C2 #2ca02c SP, C3 #d62728 unstable; phase-diagram pixel RGB = (f_LC, f_SP, f_fail), rows η
//! (largest on top), columns delays ascending; fixed-window RGB = (f_not, f_learned, 0).
//! Each figure is written as PNG and SVG by [`crate::plot::save_figure`].

pub mod curves;
pub mod histograms;
pub mod phase;
pub mod scaling;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::fit::{Boundary, BoundaryFits, OnsetModel};
use crate::outcome::Outcome;
use crate::plot::{save_figure, Figure, C0, C1, C2, C3, FONT};
use crate::sweep::aggregate::Metric;
use crate::sweep::discover::curve_lr;
use crate::sweep::phase::PhaseTable;
use crate::sweep::{Experiment, RunRecord};
use crate::Result;

pub use scaling::BAND_SEED;

/// Tick label with at most 3 significant digits and no trailing zeros.
fn fmt_g(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".to_string();
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn fmt_int(v: &f64) -> String {
    format!("{v:.0}")
}

/// The colour of an outcome in the sweep figures (the no-memory control draws "not learned"
/// in the colour the others give "unstable").
fn class_colour(outcome: Outcome, experiment: Experiment) -> RGBColor {
    match outcome {
        Outcome::LimitCycle => C1,
        Outcome::SlowPoint | Outcome::Correct => C2,
        Outcome::NotLearned if experiment != Experiment::NoMemory => C0,
        _ => C3,
    }
}

/// The chart frame of the sweep figures: caption at 20 px, margin 10, x label area 40 px and
/// a y label area of `y_area` px.
fn chart<'a, 'b, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
    y_area: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(root);
    b.caption(title, (FONT, 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(y_area);
    b
}

/// What one sweep figure draws.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Per-class curves of `metric` at the experiment's curve learning rate
    /// ([`curve_lr`]), classes in legend order; log y if `log_y`; fixed y range if given.
    Curves {
        /// Which curve.
        metric: Metric,
        /// Classes, in legend order.
        classes: &'static [Outcome],
        /// Log-scaled y axis.
        log_y: bool,
        /// Fixed y range (otherwise the data's).
        y_range: Option<(f64, f64)>,
    },
    /// Class fractions against delay at every learning rate.
    Fractions,
    /// The RGB phase diagram.
    Phase,
    /// Mechanism-index histograms.
    IndexHistogram,
    /// Fraction `k` (0 not learned, 2 SP) against delay at the rows nearest `rows`, with
    /// the onset fits of `boundary`'s two-step fit.
    RowFractions {
        /// Learning rates wanted.
        rows: &'static [f64],
        /// Which fraction.
        k: usize,
        /// Whose two-step fit gives the onset curves.
        boundary: Boundary,
        /// The onset model of that fit.
        model: OnsetModel,
    },
    /// Scaling plot of `boundary`'s fits (drawn only if its two-step fit succeeded).
    Scaling {
        /// Which boundary.
        boundary: Boundary,
        /// Transposed axes (x = window, y = η_c) of the no-memory fit.
        transposed: bool,
        /// Labels and least ranges.
        axes: scaling::Axes,
    },
}

/// One sweep figure: file stem, title and what it draws.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// File stem (`.png` and `.svg` are added).
    pub stem: &'static str,
    /// Title.
    pub title: &'static str,
    /// What it draws.
    pub kind: Kind,
}

const NL: Outcome = Outcome::NotLearned;
const LC: Outcome = Outcome::LimitCycle;
const SP: Outcome = Outcome::SlowPoint;
const UN: Outcome = Outcome::Unstable;

const fn entry(stem: &'static str, title: &'static str, kind: Kind) -> Entry {
    Entry { stem, title, kind }
}

const fn loss(classes: &'static [Outcome]) -> Kind {
    Kind::Curves {
        metric: Metric::Loss,
        classes,
        log_y: false,
        y_range: None,
    }
}

/// Learning rates of the S3D/S3E rows.
const NO_POST_ROWS: &[f64] = &[0.316228, 0.019307, 0.001];
/// Rows 0, 4 and 9 of the long-τ grid logspace(−1, −3, 10) (the nearest row is taken).
const LONG_TAU_ROWS: &[f64] = &[0.1, 0.012915, 0.001];

/// Axes of the delay boundaries: η against the critical delay.
const fn delay_axes(x_desc: &'static str) -> scaling::Axes {
    scaling::Axes {
        x_desc,
        y_desc: "Learning rate",
        x_range: (30.0, 300.0),
        y_range: (8e-4, 0.5),
    }
}

const fn delay_scaling(boundary: Boundary, x_desc: &'static str) -> Kind {
    Kind::Scaling {
        boundary,
        transposed: false,
        axes: delay_axes(x_desc),
    }
}

const NO_POST: &[Entry] = &[
    entry("fig4A", "Fig 4A: loss, T_post = 0 ms", loss(&[NL, LC, SP])),
    entry(
        "fig4B",
        "Fig 4B: strategies, T_post = 0 ms",
        Kind::Fractions,
    ),
    entry("fig4H", "Fig 4H: T_post = 0 ms", Kind::Phase),
    entry("figS3A", "Fig S3A: loss per class", loss(&[NL, UN, LC, SP])),
    entry(
        "figS3B",
        "Fig S3B: accuracy per class",
        Kind::Curves {
            metric: Metric::Accuracy,
            classes: &[NL, UN, LC, SP],
            log_y: false,
            y_range: Some((0.49, 1.0)),
        },
    ),
    entry(
        "figS3C",
        "Mechanism index of learned networks",
        Kind::IndexHistogram,
    ),
    entry(
        "figS3D",
        "Fig S3D: no-solution onset",
        Kind::RowFractions {
            rows: NO_POST_ROWS,
            k: 0,
            boundary: Boundary::Failure,
            model: OnsetModel::ExpSaturation,
        },
    ),
    entry(
        "figS3E",
        "Fig S3E: slow-point fraction",
        Kind::RowFractions {
            rows: NO_POST_ROWS,
            k: 2,
            boundary: Boundary::SlowPoint,
            model: OnsetModel::Logistic,
        },
    ),
    entry(
        "fig4C",
        "Fig 4C: Scaling of the no-solution boundary",
        delay_scaling(Boundary::Failure, "Critical delay (ms)"),
    ),
    entry(
        "figS3F",
        "Fig S3F: Scaling of the SP manifolds",
        delay_scaling(Boundary::SlowPoint, "Critical delay T_sp (ms)"),
    ),
];

const POST: &[Entry] = &[
    entry("fig4D", "Fig 4D: loss, T_post = 30 ms", loss(&[NL, LC, SP])),
    entry(
        "fig4E",
        "Fig 4E: strategies, T_post = 30 ms",
        Kind::Fractions,
    ),
    entry("fig4I", "Fig 4I: T_post = 30 ms", Kind::Phase),
    entry(
        "fig4F",
        "Fig 4F: no-solution boundary, T_post = 30 ms",
        delay_scaling(Boundary::Failure, "Critical delay (ms)"),
    ),
];

const LONG_TAU: &[Entry] = &[
    entry(
        "figS5A",
        "Fig S5A: loss per class, τ = 20 ms",
        loss(&[NL, UN, LC, SP]),
    ),
    entry("figS5B", "Fig S5B: strategies, τ = 20 ms", Kind::Fractions),
    entry("figS5C", "Fig S5C: τ = 20 ms", Kind::Phase),
    entry(
        "figS5C_fits",
        "Fig S5C (extra): no-solution onset, τ = 20 ms",
        Kind::RowFractions {
            rows: LONG_TAU_ROWS,
            k: 0,
            boundary: Boundary::Failure,
            model: OnsetModel::ExpSaturation,
        },
    ),
];

const NO_MEMORY: &[Entry] = &[
    entry(
        "figS6A",
        "Fig S6A: loss, no-memory control",
        Kind::Curves {
            metric: Metric::Loss,
            classes: &[NL, Outcome::Correct],
            log_y: true,
            y_range: None,
        },
    ),
    entry("figS6B", "Fig S6B: no-memory control", Kind::Phase),
    entry(
        "figS6C",
        "Fig S6C: critical learning rate, no-memory control",
        Kind::Scaling {
            boundary: Boundary::Failure,
            transposed: true,
            axes: scaling::Axes {
                x_desc: "Response window (ms)",
                y_desc: "Critical learning rate",
                x_range: (20.0, 400.0),
                y_range: (1e-3, 1.0),
            },
        },
    ),
];

/// The figures of `experiment`, in drawing order (none for experiments without sweep
/// figures): no post → Fig 4A, 4B, 4H, S3A–E, 4C, S3F; post → 4D, 4E, 4I, 4F; long τ →
/// S5A, S5B, S5C and `figS5C_fits` (example onset fits at rows 0, 4, 9); no-memory → S6A,
/// S6B, S6C.
pub fn figures_of(experiment: Experiment) -> &'static [Entry] {
    match experiment {
        Experiment::NoPost => NO_POST,
        Experiment::Post => POST,
        Experiment::LongTau => LONG_TAU,
        Experiment::NoMemory => NO_MEMORY,
        _ => &[],
    }
}

/// The boundaries whose fits the figures of `experiment` show, each once.
pub fn fitted_boundaries(experiment: Experiment) -> Vec<Boundary> {
    let mut out = Vec::new();
    for e in figures_of(experiment) {
        if let Kind::RowFractions { boundary, .. } | Kind::Scaling { boundary, .. } = e.kind {
            if !out.contains(&boundary) {
                out.push(boundary);
            }
        }
    }
    out
}

/// Draw every figure of `experiment` ([`figures_of`]) into `out_dir` from its `records`,
/// its phase `table` and the `fits` of its boundaries ([`fitted_boundaries`]); returns the
/// files written. A figure without data (no curves at the chosen η, no learned networks) is
/// skipped, as is a scaling plot whose two-step fit failed; a row-fraction plot without its
/// fit shows the points joined by faint lines.
pub fn render(
    experiment: Experiment,
    records: &[RunRecord],
    table: &PhaseTable,
    fits: &[BoundaryFits],
    out_dir: &Path,
) -> Result<Vec<PathBuf>> {
    let fit_of = |b: Boundary| fits.iter().find(|f| f.boundary == b);
    let mut files = Vec::new();
    let (small, wide) = ((640, 480), (900, 560));
    for e in figures_of(experiment) {
        let mut save = |fig: &dyn SaveAs, size| -> Result<()> {
            files.extend(fig.save_as(out_dir, e.stem, size)?);
            Ok(())
        };
        match e.kind {
            Kind::Curves {
                metric,
                classes,
                log_y,
                y_range,
            } => {
                let lr = curve_lr(experiment);
                if let Some(f) = curves::Curves::new(
                    records, experiment, lr, metric, classes, log_y, y_range, e.title,
                ) {
                    save(&f, small)?;
                }
            }
            Kind::Fractions => {
                let f = phase::Fractions {
                    table,
                    title: e.title,
                };
                save(&f, small)?;
            }
            Kind::Phase => {
                let f = phase::PhaseDiagram {
                    table,
                    experiment,
                    title: e.title,
                };
                save(&f, wide)?;
            }
            Kind::IndexHistogram => {
                if let Some(f) = histograms::IndexHistograms::new(records, experiment, e.title) {
                    save(&f, small)?;
                }
            }
            Kind::RowFractions {
                rows,
                k,
                boundary,
                model,
            } => {
                let fit = fit_of(boundary)
                    .and_then(BoundaryFits::two_step_fit)
                    .map(|r| (r, model));
                if let Some(f) = phase::RowFractions::new(table, rows, k, fit, e.title) {
                    save(&f, small)?;
                }
            }
            Kind::Scaling {
                boundary,
                transposed,
                axes,
            } => {
                let Some(bf) = fit_of(boundary) else { continue };
                let Some(r) = bf.two_step_fit() else { continue };
                let f = scaling::Scaling::new(r, bf.likelihood_fit(), transposed, e.title, axes)?;
                save(&f, small)?;
            }
        }
    }
    Ok(files)
}

/// Object-safe saving of a figure (the [`Figure`] trait is generic over backends).
trait SaveAs {
    fn save_as(&self, out_dir: &Path, stem: &str, size: (u32, u32)) -> Result<Vec<PathBuf>>;
}

impl<F: Figure> SaveAs for F {
    fn save_as(&self, out_dir: &Path, stem: &str, size: (u32, u32)) -> Result<Vec<PathBuf>> {
        save_figure(self, out_dir, stem, size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_experiment_fits_the_boundaries_its_figures_show() {
        assert_eq!(
            fitted_boundaries(Experiment::NoPost),
            vec![Boundary::Failure, Boundary::SlowPoint]
        );
        for e in [Experiment::Post, Experiment::LongTau, Experiment::NoMemory] {
            assert_eq!(fitted_boundaries(e), vec![Boundary::Failure]);
        }
        let stems: Vec<&str> = figures_of(Experiment::NoPost)
            .iter()
            .map(|e| e.stem)
            .collect();
        assert_eq!(
            stems,
            [
                "fig4A", "fig4B", "fig4H", "figS3A", "figS3B", "figS3C", "figS3D", "figS3E",
                "fig4C", "figS3F"
            ]
        );
    }

    #[test]
    fn tick_labels() {
        assert_eq!(fmt_g(0.5), "0.5");
        assert_eq!(fmt_g(0.123456), "0.123");
        assert_eq!(fmt_g(300.0), "300");
        assert_eq!(fmt_g(1e-3), "0.001");
    }
}
