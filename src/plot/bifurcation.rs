//! The bifurcation figure of `dynphase bifurcations` (docs/dynamics.md): fixed-point branches,
//! orbit amplitude and orbit period against the training epoch, with the detected events.

use super::{dashed_vline, draw_legend, font, save_figure, DrawResult, Figure, C0, C3, C7, FONT};
use crate::analysis::bifurcation::Scan;
use crate::analysis::orbits::norm;
use crate::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Draw `scan` to `out_dir/stem.{png,svg}`; `title` heads the figure, `tau_ms` converts
/// periods to ms.
pub fn render_scan(
    scan: &Scan,
    title: &str,
    tau_ms: f64,
    out_dir: &Path,
    stem: &str,
) -> Result<Vec<PathBuf>> {
    save_figure(
        &ScanFigure {
            scan,
            title,
            tau_ms,
        },
        out_dir,
        stem,
        (1400, 1300),
    )
}

struct ScanFigure<'a> {
    scan: &'a Scan,
    title: &'a str,
    tau_ms: f64,
}

fn span(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-3 * hi.abs().max(1.0));
    (lo - pad, hi + pad)
}

impl Figure for ScanFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let sc = self.scan;
        let (title, rest) = root.split_vertically(50);
        title.draw(&Text::new(
            self.title.to_string(),
            (20, 12),
            (FONT, 26).into_font(),
        ))?;
        let panels = rest.split_evenly((3, 1));
        let epochs: Vec<f64> = sc.checkpoints.iter().map(|c| c.epoch as f64).collect();
        let (e0, e1) = (epochs[0], epochs[epochs.len() - 1]);
        let xr = e0..e1 + (e1 - e0) * 0.01;
        // (A) fixed points: ‖x*‖ along the branches.
        let pts: Vec<(f64, f64, bool)> = sc
            .branches
            .iter()
            .flat_map(|b| b.points.iter())
            .map(|(e, p)| (*e, norm(&p.x), p.point_type.is_stable()))
            .collect();
        let (ylo, yhi) = span(pts.iter().map(|p| p.1));
        let mut c = ChartBuilder::on(&panels[0])
            .caption("A  fixed points along training", (FONT, 22))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(xr.clone(), ylo..yhi)?;
        c.configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("‖x*‖")
            .label_style(font(16))
            .axis_desc_style(font(18))
            .draw()?;
        for (stable, colour, label) in [(true, C0, "stable"), (false, C3, "unstable")] {
            c.draw_series(
                pts.iter()
                    .filter(|p| p.2 == stable)
                    .map(|p| Circle::new((p.0, p.1), 2, colour.filled())),
            )?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, colour.filled()));
        }
        for cp in &sc.checkpoints {
            for fp in &cp.fixed_points {
                let colour = if fp.point_type.is_stable() { C0 } else { C3 };
                c.draw_series(std::iter::once(Circle::new(
                    (cp.epoch as f64, norm(&fp.x)),
                    5,
                    colour.stroke_width(1),
                )))?;
            }
        }
        self.event_lines(&mut c, (ylo, yhi), true)?;
        draw_legend(&mut c, SeriesLabelPosition::UpperLeft, 16, 0.8)?;
        // (B) orbit radius and (C) period.
        let orbits = &sc.orbits;
        let (rlo, rhi) = span(orbits.iter().map(|o| o.2).chain([0.0]));
        let mut c = ChartBuilder::on(&panels[1])
            .caption("B  periodic orbit: radius", (FONT, 22))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(xr.clone(), rlo..rhi)?;
        c.configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("orbit radius")
            .label_style(font(16))
            .axis_desc_style(font(18))
            .draw()?;
        self.orbit_series(&mut c, |o| o.2)?;
        self.event_lines(&mut c, (rlo, rhi), false)?;
        let periods: Vec<f64> = orbits.iter().map(|o| o.1 * self.tau_ms).collect();
        let (plo, phi) = if periods.is_empty() {
            (1.0, 10.0)
        } else {
            let (a, b) = periods
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
            (a / 1.5, b * 1.5)
        };
        let mut c = ChartBuilder::on(&panels[2])
            .caption("C  periodic orbit: period", (FONT, 22))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(xr, (plo..phi).log_scale())?;
        c.configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("period (ms)")
            .y_label_formatter(&super::log_tick_label)
            .label_style(font(16))
            .axis_desc_style(font(18))
            .draw()?;
        let tau = self.tau_ms;
        self.orbit_series(&mut c, move |o| o.1 * tau)?;
        self.event_lines(&mut c, (plo, phi), false)?;
        Ok(())
    }
}

impl ScanFigure<'_> {
    fn orbit_series<DB, Y>(
        &self,
        c: &mut ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
        y: impl Fn(&(f64, f64, f64, bool)) -> f64,
    ) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        Y: Ranged<ValueType = f64>,
    {
        let o = &self.scan.orbits;
        c.draw_series(
            o.iter()
                .filter(|p| p.3)
                .map(|p| Circle::new((p.0, y(p)), 3, BLACK.filled())),
        )?;
        c.draw_series(
            o.iter()
                .filter(|p| !p.3)
                .map(|p| Circle::new((p.0, y(p)), 3, C7.stroke_width(1))),
        )?;
        Ok(())
    }

    fn event_lines<DB, Y>(
        &self,
        c: &mut ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
        (lo, hi): (f64, f64),
        labels: bool,
    ) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        Y: Ranged<ValueType = f64>,
    {
        for (i, e) in self.scan.events.iter().enumerate() {
            dashed_vline(c, e.epoch, (lo, hi), ((6, 4), 2), None)?;
            if labels {
                // Staggered so that events close in epoch stay readable.
                let y = hi - (i % 5) as f64 * 0.07 * (hi - lo);
                c.draw_series(std::iter::once(Text::new(
                    format!(" {} {:.0}", e.event.kind.name(), e.epoch),
                    (e.epoch, y),
                    font(16),
                )))?;
            }
        }
        Ok(())
    }
}
