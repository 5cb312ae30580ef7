//! Log–log scaling plots of a sweep's boundaries (Fig 4C, 4F, S3F, S6C).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart, fmt_g, FONT};
use crate::fit::{power_law_band, MleResult, PowerLawBand, TwoStepResult};
use crate::plot::{draw_legend, log_span, DrawResult, Figure, C0, C1};
use crate::Result;

/// Seed of the Monte-Carlo band of the scaling plots (seeded, unlike the reference code's).
pub const BAND_SEED: u64 = 0;

/// Axis labels and the least ranges of a scaling plot (widened to cover the data).
#[derive(Debug, Clone, Copy)]
pub struct Axes {
    /// x-axis label.
    pub x_desc: &'static str,
    /// y-axis label.
    pub y_desc: &'static str,
    /// Least x range.
    pub x_range: (f64, f64),
    /// Least y range.
    pub y_range: (f64, f64),
}

/// Fitted critical points (black dots), the two-step power law and its seeded 95 % band, with
/// the exponent; if a likelihood fit is given, its power law (dashed, C1) and its per-row
/// critical values (open circles) with its exponent and 95 % profile-likelihood interval.
pub struct Scaling<'a> {
    res: &'a TwoStepResult,
    mle: Option<&'a MleResult>,
    transposed: bool,
    band: PowerLawBand,
    title: &'a str,
    axes: Axes,
}

impl<'a> Scaling<'a> {
    /// The plot of `res` (and `mle`) on `axes` widened to the data; `transposed` for the
    /// no-memory fit (x = window, y = η_c).
    pub fn new(
        res: &'a TwoStepResult,
        mle: Option<&'a MleResult>,
        transposed: bool,
        title: &'a str,
        axes: Axes,
    ) -> Result<Self> {
        let (xmin, xmax) = res
            .x
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
        let band = power_law_band(&res.fit, xmin, xmax, BAND_SEED)?;
        let ymin = res.y.iter().cloned().fold(f64::INFINITY, f64::min);
        let ymax = res.y.iter().cloned().fold(0.0, f64::max);
        Ok(Scaling {
            res,
            mle,
            transposed,
            band,
            title,
            axes: Axes {
                x_range: (
                    axes.x_range.0.min(xmin * 0.9),
                    axes.x_range.1.max(xmax * 1.1),
                ),
                y_range: (
                    axes.y_range.0.min(ymin * 0.8),
                    axes.y_range.1.max(ymax * 1.25),
                ),
                ..axes
            },
        })
    }
}

fn fmt_ci(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else if v > 0.0 {
        "∞".to_string()
    } else {
        "−∞".to_string()
    }
}

impl Figure for Scaling<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (res, band) = (self.res, &self.band);
        let ((x0, x1), (y0, y1)) = (self.axes.x_range, self.axes.y_range);
        let inside = |&(x, y): &(f64, f64)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
        let mut chart = chart(root, self.title, 60)
            .build_cartesian_2d(log_span(x0, x1).log_scale(), log_span(y0, y1).log_scale())?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.axes.x_desc)
            .y_desc(self.axes.y_desc)
            .x_label_formatter(&|v| fmt_g(*v))
            .y_label_formatter(&|v| fmt_g(*v))
            .label_style((FONT, 14))
            .draw()?;
        let poly: Vec<(f64, f64)> = band
            .x
            .iter()
            .zip(&band.y_high)
            .map(|(&x, &y)| (x, y.clamp(y0, y1)))
            .chain(
                band.x
                    .iter()
                    .zip(&band.y_low)
                    .rev()
                    .map(|(&x, &y)| (x, y.clamp(y0, y1))),
            )
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(poly, C0.mix(0.25))))?;
        chart
            .draw_series(LineSeries::new(
                band.x
                    .iter()
                    .zip(&band.y_fit)
                    .filter(|(_, &y)| (y0..=y1).contains(&y))
                    .map(|(&x, &y)| (x, y)),
                C0.stroke_width(2),
            ))?
            .label(format!(
                "two-step: β = {:.2} ± {:.2}, R² = {:.2}, n = {}",
                res.fit.beta, res.fit.se, res.fit.r2, res.fit.n
            ))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], C0.stroke_width(3)));
        if let Some(m) = self.mle {
            // Points (x, y) of the likelihood fit in the plot's axes: onset fits have
            // x = T_c (critical), y = lr (key); the transposed fit x = window (key), y = η_c.
            let pts: Vec<(f64, f64)> = m
                .rows
                .iter()
                .map(|r| {
                    if self.transposed {
                        (r.key, r.critical)
                    } else {
                        (r.critical, r.key)
                    }
                })
                .filter(|&(x, y)| x > 0.0 && y > 0.0 && x.is_finite() && y.is_finite())
                .collect();
            if pts.len() >= 2 {
                let (lx0, lx1) = pts.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &(x, _)| {
                    (a.min(x), b.max(x))
                });
                let line: Vec<(f64, f64)> = (0..=50)
                    .map(|i| {
                        let x = (lx0.ln() + (lx1.ln() - lx0.ln()) * i as f64 / 50.0).exp();
                        let y = if self.transposed {
                            (m.c0 + m.c1 * x.ln()).exp()
                        } else {
                            ((x.ln() - m.c0) / m.c1).exp()
                        };
                        (x, y)
                    })
                    .filter(inside)
                    .collect();
                let ci = match m.ci95 {
                    Some((lo, hi)) => format!(" [{}, {}]", fmt_ci(lo), fmt_ci(hi)),
                    None => String::new(),
                };
                chart
                    .draw_series(DashedLineSeries::new(line, 6, 4, C1.stroke_width(2)))?
                    .label(format!("likelihood fit: β = {:.2}{ci}", m.beta))
                    .legend(|(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], C1.stroke_width(3))
                    });
                chart.draw_series(
                    pts.iter()
                        .filter(|p| inside(p))
                        .map(|&p| Circle::new(p, 5, C1.stroke_width(2))),
                )?;
            }
        }
        chart.draw_series(
            res.x
                .iter()
                .zip(&res.y)
                .map(|(&x, &y)| Circle::new((x, y), 4, BLACK.filled())),
        )?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight, 14, 0.8)
    }
}
