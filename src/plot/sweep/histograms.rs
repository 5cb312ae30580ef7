//! Mechanism-index histograms of a sweep's learned networks (Fig S3C).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart, fmt_g, FONT};
use crate::outcome::Mechanism;
use crate::plot::{
    density, draw_legend, exponential_fit, gaussian_fit, DrawResult, Figure, C1, C2,
};
use crate::sweep::aggregate::index_values;
use crate::sweep::{Experiment, RunRecord};

/// Density histograms (49 bins on [0, 1]) of the mechanism index of the LC and SP networks,
/// with the exponential (LC) and Gaussian (SP) maximum-likelihood densities dashed.
pub struct IndexHistograms<'a> {
    lc: Vec<f64>,
    sp: Vec<f64>,
    title: &'a str,
}

impl<'a> IndexHistograms<'a> {
    /// The indices of the LC (class 1) and SP (class 2) networks of `experiment`; `None` if
    /// there are none.
    pub fn new(records: &[RunRecord], experiment: Experiment, title: &'a str) -> Option<Self> {
        let lc = index_values(records, experiment, Mechanism::LimitCycle);
        let sp = index_values(records, experiment, Mechanism::SlowPoint);
        (!(lc.is_empty() && sp.is_empty())).then_some(IndexHistograms { lc, sp, title })
    }
}

impl Figure for IndexHistograms<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        // 50 equally spaced edges on [0, 1] -> 49 bins, density-normalised.
        let nb = 49usize;
        let w = 1.0 / nb as f64;
        let (lc, sp) = (&self.lc, &self.sp);
        let (hl, hs) = (density(lc, nb), density(sp, nb));
        let ymax = hl
            .iter()
            .chain(&hs)
            .fold(0.0f64, |a, &b| a.max(b))
            .clamp(1.0, 40.0)
            * 1.05;
        let mut chart = chart(root, self.title, 50).build_cartesian_2d(0f64..1.0, 0f64..ymax)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("Index")
            .y_desc("Frequency (normalized)")
            .x_label_formatter(&|v| fmt_g(*v))
            .y_label_formatter(&|v| fmt_g(*v))
            .label_style((FONT, 14))
            .draw()?;
        for (h, v, col, label) in [(&hl, lc, C1, "Limit cycle"), (&hs, sp, C2, "Slow point")] {
            if v.is_empty() {
                continue;
            }
            chart
                .draw_series(h.iter().enumerate().map(|(i, &y)| {
                    let x0 = i as f64 * w;
                    Rectangle::new([(x0, 0.0), (x0 + w, y.min(ymax))], col.mix(0.5).filled())
                }))?
                .label(format!("{label} (n = {})", v.len()))
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], col.filled()));
        }
        let xs: Vec<f64> = (0..=200).map(|i| i as f64 / 200.0).collect();
        if let Some(lam) = exponential_fit(lc) {
            chart.draw_series(DashedLineSeries::new(
                xs.iter().map(|&x| (x, (lam * (-lam * x).exp()).min(ymax))),
                6,
                4,
                C1.stroke_width(2),
            ))?;
        }
        if let Some((m, sd)) = gaussian_fit(sp) {
            let pdf = |x: f64| {
                (-(x - m) * (x - m) / (2.0 * sd * sd)).exp()
                    / (sd * (2.0 * std::f64::consts::PI).sqrt())
            };
            chart.draw_series(DashedLineSeries::new(
                xs.iter().map(|&x| (x, pdf(x).min(ymax))),
                6,
                4,
                C2.stroke_width(2),
            ))?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperMiddle, 14, 0.8)
    }
}
