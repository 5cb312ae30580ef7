//! Per-class learning curves of a sweep (Fig 4A, 4D, S3A, S3B, S5A, S6A).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart, class_colour, fmt_g, fmt_int, FONT};
use crate::outcome::Outcome;
use crate::plot::{draw_legend, log_span, DrawResult, Figure};
use crate::sweep::aggregate::{class_curves, nearest_lr, ClassCurve, Metric};
use crate::sweep::{Experiment, RunRecord};

/// Mean ± SEM learning curves of the networks of each class at one learning rate, pooled over
/// delays; the y range is the data's (or `y_range`), log-scaled if asked.
pub struct Curves {
    curves: Vec<ClassCurve>,
    experiment: Experiment,
    len: usize,
    metric: Metric,
    log_y: bool,
    y: (f64, f64),
    caption: String,
}

impl Curves {
    /// The curves of `classes` at the learning rate of the sweep nearest `lr`, titled
    /// "`title` (η = …)"; `None` if the records have no curve there.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        records: &[RunRecord],
        experiment: Experiment,
        lr: f64,
        metric: Metric,
        classes: &[Outcome],
        log_y: bool,
        y_range: Option<(f64, f64)>,
        title: &str,
    ) -> Option<Self> {
        let lr = nearest_lr(records, experiment, lr)?;
        let curves = class_curves(records, experiment, lr, metric, classes);
        let len = curves.iter().map(|c| c.mean.len()).max().unwrap_or(0);
        if len == 0 {
            return None;
        }
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for c in &curves {
            for (m, s) in c.mean.iter().zip(&c.sem) {
                if m.is_finite() {
                    lo = lo.min(m - s);
                    hi = hi.max(m + s);
                }
            }
        }
        let y = match y_range {
            Some(r) => r,
            None if log_y => {
                let lo = lo.max(1e-6);
                (lo * 0.8, hi.max(lo * 10.0) * 1.25)
            }
            None => (lo.min(0.0), hi.max(lo + 1e-9) * 1.05),
        };
        Some(Curves {
            curves,
            experiment,
            len,
            metric,
            log_y,
            y,
            caption: format!("{title} (η = {lr:.4})"),
        })
    }
}

fn metric_label(m: Metric) -> &'static str {
    match m {
        Metric::Loss => "Loss",
        Metric::Accuracy => "Accuracy",
        Metric::Reliability => "Reliability",
    }
}

impl Figure for Curves {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (ylo, yhi) = self.y;
        let mut b = chart(root, &self.caption, 60);
        let xr = 0f64..self.len as f64;
        // One body for the linear and the log y axis (different chart types).
        macro_rules! body {
            ($chart:ident) => {{
                $chart
                    .configure_mesh()
                    .disable_mesh()
                    .x_desc("Epochs (stored window)")
                    .y_desc(metric_label(self.metric))
                    .x_label_formatter(&fmt_int)
                    .y_label_formatter(&|v| fmt_g(*v))
                    .label_style((FONT, 14))
                    .draw()?;
                for c in self.curves.iter().filter(|c| c.n > 0) {
                    let col = class_colour(c.outcome, self.experiment);
                    let finite = || (0..c.mean.len()).filter(|&i| c.mean[i].is_finite());
                    let clip = |v: f64| v.max(ylo).min(yhi);
                    let band: Vec<(f64, f64)> = finite()
                        .map(|i| (i as f64, clip(c.mean[i] + c.sem[i])))
                        .chain(
                            finite()
                                .rev()
                                .map(|i| (i as f64, clip(c.mean[i] - c.sem[i]))),
                        )
                        .collect();
                    $chart.draw_series(std::iter::once(Polygon::new(band, col.mix(0.25))))?;
                    $chart
                        .draw_series(LineSeries::new(
                            finite().map(|i| (i as f64, clip(c.mean[i]))),
                            col.stroke_width(2),
                        ))?
                        .label(format!("{} (n = {})", c.outcome.label(), c.n))
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(3))
                        });
                }
                draw_legend(&mut $chart, SeriesLabelPosition::MiddleRight, 14, 0.8)?;
            }};
        }
        if self.log_y {
            let mut chart = b.build_cartesian_2d(xr, log_span(ylo, yhi).log_scale())?;
            body!(chart);
        } else {
            let mut chart = b.build_cartesian_2d(xr, ylo..yhi)?;
            body!(chart);
        }
        Ok(())
    }
}
