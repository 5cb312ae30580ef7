//! Figures of the `theory` family (toy models, docs/toy-theory.md, paper_figures/README.md):
//!
//! * `fig4g_toy_phase_diagram` — Fig 4G: leading-order η*_SP (green) and η*_LC (red) against
//!   T_delay at T_resp = 5, phases 1–3;
//! * `figS2A_lc_flow` — Fig S2A: limit-cycle normal-form flow, unit cycle, start point, output
//!   half-planes;
//! * `figS2B_lc_loss` — Fig S2B: LC loss against r at T_d = 60, T_r = 10, closed form and
//!   Riemann sums;
//! * `ext_sp_loss_landscape` — SP loss with r*, r_NL, the flat zone and the critical step;
//! * `ext_eta_star_numeric_gd` — exact, leading-order, ODE-numeric η* and GD boundaries, both
//!   models, log–log;
//! * `ext_local_exponent` — local exponent β against T_resp/T_delay with the [4, 5] and [2, 3]
//!   bands (the LC closed form ends at K = 2);
//! * `fig1E_dcdt_task` — Fig 1E: the delayed cue-discrimination task of the RNN experiments
//!   (inputs Cue 1/2 and targets Output 1/2 of a cue-1 trial over T_in, T_delay, T_resp and
//!   T_post), drawn from the crate's task generator, without and with the 30 ms post period.
//!
//! For a formula model (`dynphase theory --model FILE --figures DIR`), [`render_model`] writes
//! `model_<name>_theory`: η* against T_delay (integrated ODE, normal-form prediction, leading
//! term) and the local exponent of the numeric η* against the leading-order β.

use std::f64::consts::PI;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    dashed_vline, draw_arrow, draw_legend, draw_quiver, font, geomspace, linspace, log_span,
    log_tick_label, save_figure, DrawResult, Figure, C0, C1, C2, C3, C7, FONT,
};
use crate::rnn::task::{FullRankTask, FullRankTaskKind, WindowMode};
use crate::theory::{
    local_exponent_exact, local_exponents, scaling_table, Mechanism, RespSpec, ScalingRow,
    TableOptions,
};
use crate::toy::{ClosedForm, LimitCycle, SaddleNode, ToyNumerics};
use crate::Result;

/// Render every figure of this family into `out_dir`; returns the files written (PNG + SVG).
pub fn render_all(out_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    files.extend(save_figure(
        &Fig4G,
        out_dir,
        "fig4g_toy_phase_diagram",
        (900, 640),
    )?);
    files.extend(save_figure(&FigS2A, out_dir, "figS2A_lc_flow", (700, 722))?);
    files.extend(save_figure(
        &FigS2B::new()?,
        out_dir,
        "figS2B_lc_loss",
        (900, 600),
    )?);
    files.extend(save_figure(
        &SpLandscape::new()?,
        out_dir,
        "ext_sp_loss_landscape",
        (900, 600),
    )?);
    let grid = geomspace(10.0, 400.0, 9);
    let rows = scaling_table(&grid, RespSpec::Fixed(5.0), TableOptions::default())?;
    files.extend(save_figure(
        &EtaNumericGd { rows: rows.clone() },
        out_dir,
        "ext_eta_star_numeric_gd",
        (900, 640),
    )?);
    files.extend(save_figure(
        &LocalExponent { rows },
        out_dir,
        "ext_local_exponent",
        (900, 600),
    )?);
    files.extend(save_figure(
        &Fig1E::new(100)?,
        out_dir,
        "fig1E_dcdt_task",
        (1100, 640),
    )?);
    Ok(files)
}

/// Fig 1E: inputs and targets of a cue-1 DCDT trial (delay `delay_ms`), without and with
/// the post period, from [`FullRankTask`].
struct Fig1E {
    delay_ms: u32,
    tasks: [FullRankTask<f64>; 2],
}

impl Fig1E {
    fn new(delay_ms: u32) -> Result<Self> {
        let task = |post| {
            FullRankTask::<f64>::new(
                FullRankTaskKind::Dcdt {
                    delay_ms,
                    post,
                    tau_ms: 10.0,
                },
                WindowMode::Reference,
            )
        };
        Ok(Fig1E {
            delay_ms,
            tasks: [task(false)?, task(true)?],
        })
    }
}

/// Step-function polyline of one channel: value v_t held over [5t, 5(t+1)) ms.
fn stairs(values: impl Iterator<Item = f64>) -> Vec<(f64, f64)> {
    let mut pts = Vec::new();
    for (t, v) in values.enumerate() {
        pts.push((5.0 * t as f64, v));
        pts.push((5.0 * (t + 1) as f64, v));
    }
    pts
}

impl Figure for Fig1E {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (title, body) = root.split_vertically(50);
        title.draw(&Text::new(
            format!(
                "Fig 1E: delayed cue-discrimination task (cue-1 trial, delay {} ms)",
                self.delay_ms
            ),
            (20, 12),
            font(22),
        ))?;
        let panels = body.split_evenly((2, 2));
        let t_max = 5.0 * self.tasks[1].steps as f64;
        for (row, task) in self.tasks.iter().enumerate() {
            let l = task.steps;
            // Class 1 (trial index 1) has Cue 1 on: inputs/targets at index 2t + 1.
            let n_in = (0..l)
                .filter(|&t| task.inputs[2 * t + 1] != [0.0; 2])
                .count();
            let n_resp = (0..l)
                .filter(|&t| task.targets[2 * t + 1] != [0.0; 2])
                .count();
            let nd = (self.delay_ms / 5) as usize;
            let marks = [
                (0usize, "T_in"),
                (n_in, "T_delay"),
                (n_in + nd, "T_resp"),
                (n_in + nd + n_resp, "T_post"),
            ];
            let post = if row == 1 {
                "T_post = 30 ms"
            } else {
                "no post period"
            };
            for col in 0..2 {
                let area = &panels[2 * row + col];
                let (what, names, vals): (&str, [&str; 2], &Vec<[f64; 2]>) = if col == 0 {
                    ("input", ["Cue 1", "Cue 2"], &task.inputs)
                } else {
                    ("target", ["Output 1", "Output 2"], &task.targets)
                };
                let mut c = ChartBuilder::on(area)
                    .caption(format!("{what}, {post}"), (FONT, 18))
                    .margin(12)
                    .x_label_area_size(40)
                    .y_label_area_size(45)
                    .build_cartesian_2d(0.0..t_max, -0.1..1.35)?;
                c.configure_mesh()
                    .x_desc("time (ms)")
                    .y_labels(3)
                    .label_style(font(14))
                    .axis_desc_style(font(15))
                    .light_line_style(WHITE.mix(0.0))
                    .draw()?;
                for &(t, name) in &marks {
                    let x = 5.0 * t as f64;
                    if t >= l || (name == "T_post" && row == 0) {
                        continue;
                    }
                    c.draw_series(DashedLineSeries::new(
                        vec![(x, -0.1), (x, 1.35)],
                        4,
                        4,
                        C7.stroke_width(1),
                    ))?;
                    c.draw_series(std::iter::once(Text::new(name, (x + 2.0, 1.3), font(13))))?;
                }
                for (k, (colour, name)) in [C0, C1].into_iter().zip(names).enumerate() {
                    let off = if k == 0 { 0.0 } else { 0.02 };
                    c.draw_series(LineSeries::new(
                        stairs((0..l).map(|t| vals[2 * t + 1][k] + off)),
                        colour.stroke_width(3),
                    ))?
                    .label(name)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
                    });
                }
                draw_legend(&mut c, SeriesLabelPosition::MiddleRight, 13, 0.9)?;
            }
        }
        Ok(())
    }
}

/// The chart frame of the single-panel theory figures: caption of `size` px, margin 20 and
/// the label areas `(x, y)` in px.
fn frame<'a, 'b, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
    size: u32,
    (x_area, y_area): (u32, u32),
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(root);
    b.caption(title, (FONT, size))
        .margin(20)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area);
    b
}

/// The threshold markers of the theory figures: 6 px dashes, 5 px gaps, 1 px wide.
const MARKER: ((u32, u32), u32) = ((6, 5), 1);

/// Fig 4G.
struct Fig4G;

impl Figure for Fig4G {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let tr = 5.0;
        let (ylo, yhi) = (1e-9, 3e-3);
        let mut c = frame(root, "Toy-model phase diagram (T_resp = 5)", 26, (55, 85))
            .build_cartesian_2d(0.0..400.0, log_span(ylo, yhi).log_scale())?;
        c.configure_mesh()
            .x_desc("T_delay")
            .y_desc("learning rate η")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&log_tick_label)
            .label_style(font(18))
            .axis_desc_style(font(22))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let td = linspace(10.0, 400.0, 100);
        let sp: Vec<f64> = td
            .iter()
            .map(|&t| PI.powi(4) / 4.0 * tr * t.powi(-5))
            .collect();
        let lc: Vec<f64> = td.iter().map(|&t| tr * t.powi(-3) / 4.0).collect();
        let clip = |v: f64| v.clamp(ylo, yhi);
        // Phase shading: 1 below SP, 2 between, 3 above LC.
        let poly = |lower: &dyn Fn(usize) -> f64,
                    upper: &dyn Fn(usize) -> f64|
         -> Vec<(f64, f64)> {
            let mut p: Vec<(f64, f64)> = (0..td.len()).map(|i| (td[i], clip(upper(i)))).collect();
            p.extend((0..td.len()).rev().map(|i| (td[i], clip(lower(i)))));
            p
        };
        c.draw_series(std::iter::once(Polygon::new(
            poly(&|_| ylo, &|i| sp[i]),
            C2.mix(0.15).filled(),
        )))?;
        c.draw_series(std::iter::once(Polygon::new(
            poly(&|i| sp[i], &|i| lc[i]),
            C3.mix(0.12).filled(),
        )))?;
        c.draw_series(std::iter::once(Polygon::new(
            poly(&|i| lc[i], &|_| yhi),
            C7.mix(0.12).filled(),
        )))?;
        c.draw_series(LineSeries::new(
            td.iter()
                .zip(&sp)
                .filter(|(_, v)| **v >= ylo)
                .map(|(a, b)| (*a, *b)),
            C2.stroke_width(3),
        ))?
        .label("η*_SP ≈ (π⁴/4) T_resp T_delay⁻⁵")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], C2.stroke_width(3)));
        c.draw_series(LineSeries::new(
            td.iter().zip(&lc).map(|(a, b)| (*a, *b)),
            C3.stroke_width(3),
        ))?
        .label("η*_LC ≈ T_resp T_delay⁻³ / 4")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], C3.stroke_width(3)));
        for (x, y, s) in [
            (16.0, 3.0e-9, "1: both learnable"),
            (200.0, 4e-9, "2: LC only"),
            (200.0, 2e-5, "3: no learning"),
        ] {
            c.draw_series(std::iter::once(Text::new(s, (x, y), font(22))))?;
        }
        draw_legend(&mut c, SeriesLabelPosition::UpperRight, 18, 0.9)?;
        Ok(())
    }
}

/// Fig S2A.
struct FigS2A;

impl Figure for FigS2A {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let r = 0.1;
        let mut c = frame(root, "Limit-cycle normal form (r = 0.1)", 24, (50, 60))
            .build_cartesian_2d(-1.5..1.5, -1.5..1.5)?;
        c.configure_mesh()
            .x_desc("x")
            .y_desc("y")
            .label_style(font(16))
            .axis_desc_style(font(20))
            .disable_mesh()
            .draw()?;
        // Output half-planes.
        c.draw_series(std::iter::once(Rectangle::new(
            [(-1.5, -1.5), (0.0, 1.5)],
            C0.mix(0.07).filled(),
        )))?;
        // Unit-length flow vectors on the polar grid.
        let style = ShapeStyle::from(&BLACK.mix(0.6)).stroke_width(1);
        let points: Vec<(f64, f64)> = linspace(0.0, 3.0, 20)
            .into_iter()
            .flat_map(|rho| {
                linspace(0.0, 2.0 * PI, 50)
                    .into_iter()
                    .map(move |th| (rho * th.cos(), rho * th.sin()))
            })
            .collect();
        // Cartesian form of ρ' = (1 − ρ²)ρ, θ' = 2πr.
        let field = |x: f64, y: f64| {
            let g = 1.0 - (x * x + y * y);
            let w = 2.0 * PI * r;
            (g * x - w * y, g * y + w * x)
        };
        draw_quiver(
            &mut c,
            points,
            field,
            0.11,
            ((-1.45, 1.45), (-1.45, 1.45)),
            style,
        )?;
        c.draw_series(LineSeries::new(
            linspace(0.0, 2.0 * PI, 200)
                .into_iter()
                .map(|t| (t.cos(), t.sin())),
            C3.stroke_width(3),
        ))?
        .label("limit cycle ρ = 1")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], C3.stroke_width(3)));
        c.draw_series(DashedLineSeries::new(
            vec![(0.0, -1.5), (0.0, 1.5)],
            8,
            6,
            BLACK.stroke_width(2),
        ))?;
        c.draw_series(std::iter::once(Circle::new((0.0, -1.0), 8, C2.filled())))?
            .label("start (0, −1)")
            .legend(|(x, y)| Circle::new((x + 12, y), 6, C2.filled()));
        c.draw_series(std::iter::once(Text::new(
            "output = 1",
            (-1.35, 1.3),
            font(20),
        )))?;
        c.draw_series(std::iter::once(Text::new(
            "output = 0",
            (0.35, 1.3),
            font(20),
        )))?;
        draw_legend(&mut c, SeriesLabelPosition::LowerRight, 16, 0.9)?;
        Ok(())
    }
}

/// Fig S2B.
struct FigS2B {
    model: LimitCycle,
}

impl FigS2B {
    fn new() -> Result<Self> {
        Ok(Self {
            model: LimitCycle::new(60.0, 10.0)?,
        })
    }
}

impl Figure for FigS2B {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let m = &self.model;
        let rmax = 1.0 / 60.0;
        let mut c = frame(
            root,
            "Limit-cycle loss (T_delay = 60, T_resp = 10)",
            24,
            (55, 60),
        )
        .build_cartesian_2d(0.0..rmax, -0.05..1.6)?;
        c.configure_mesh()
            .x_desc("r")
            .y_desc("L(r)")
            .x_labels(6)
            .x_label_formatter(&|v| format!("{v:.4}"))
            .label_style(font(16))
            .axis_desc_style(font(20))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let dots: Vec<(f64, f64)> = linspace(0.0, rmax, 300)
            .into_iter()
            .filter_map(|r| m.loss_riemann(r, 0.01).ok().map(|l| (r, l)))
            .collect();
        c.draw_series(
            dots.into_iter()
                .map(|p| Circle::new(p, 3, C0.mix(0.6).filled())),
        )?
        .label("Riemann sum, dt = 0.01")
        .legend(|(x, y)| Circle::new((x + 12, y), 4, C0.filled()));
        let line: Vec<(f64, f64)> = linspace(0.0, rmax, 100)
            .into_iter()
            .map(|r| (r, m.loss_table(r)))
            .collect();
        c.draw_series(LineSeries::new(line, BLACK.stroke_width(2)))?
            .label("closed form")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(2)));
        for (r, name) in [
            (m.r_star_closed(), "r* = 1/(2T_d)"),
            (m.r_nl_closed(), "r_NL"),
        ] {
            dashed_vline(
                &mut c,
                r,
                (-0.05, 1.6),
                MARKER,
                Some((name, (r + 1.5e-4, 1.52), 16)),
            )?;
        }
        draw_legend(&mut c, SeriesLabelPosition::LowerRight, 16, 0.9)?;
        Ok(())
    }
}

/// SP loss landscape with r*, r_NL and the critical step.
struct SpLandscape {
    model: SaddleNode,
    numeric: Vec<(f64, f64)>,
}

impl SpLandscape {
    fn new() -> Result<Self> {
        let model = SaddleNode::new(60.0, 10.0)?;
        let rs = model.r_star_closed();
        let numeric = linspace(0.05 * rs, 2.5 * rs, 40)
            .into_iter()
            .map(|r| model.loss(r).map(|l| (r / rs, l)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { model, numeric })
    }
}

impl Figure for SpLandscape {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let m = &self.model;
        let (rs, rnl) = (m.r_star_closed(), m.r_nl_closed());
        let mut c = frame(
            root,
            "Saddle-node loss landscape (T_delay = 60, T_resp = 10)",
            24,
            (55, 60),
        )
        .build_cartesian_2d(0.0..2.5, -0.05..1.25)?;
        c.configure_mesh()
            .x_desc("r / r*")
            .y_desc("L(r)")
            .label_style(font(16))
            .axis_desc_style(font(20))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let xnl = rnl / rs;
        c.draw_series(std::iter::once(Rectangle::new(
            [(0.0, -0.05), (xnl, 1.25)],
            C7.mix(0.15).filled(),
        )))?;
        c.draw_series(std::iter::once(Text::new(
            "flat zone",
            (0.05, 1.17),
            font(16),
        )))?;
        c.draw_series(std::iter::once(Text::new(
            "L = 1, L' = 0",
            (0.05, 1.10),
            font(16),
        )))?;
        let line: Vec<(f64, f64)> = linspace(0.01, 2.5, 600)
            .into_iter()
            .map(|x| (x, m.loss_closed(x * rs)))
            .collect();
        c.draw_series(LineSeries::new(line, BLACK.stroke_width(2)))?
            .label("closed form")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(2)));
        c.draw_series(self.numeric.iter().map(|&p| Circle::new(p, 4, C2.filled())))?
            .label("integrated ODE")
            .legend(|(x, y)| Circle::new((x + 12, y), 4, C2.filled()));
        for (x, name) in [(1.0, "r*"), (xnl, "r_NL")] {
            dashed_vline(
                &mut c,
                x,
                (-0.05, 1.25),
                MARKER,
                Some((name, (x + 0.02, 1.2), 18)),
            )?;
        }
        // The critical step from just right of r*: η* |L'(r*+)| = r* − r_NL.
        let y = 0.35;
        draw_arrow(&mut c, (1.0, y), (xnl, y), 0.04, C3.stroke_width(3))?;
        for (i, line) in [
            "critical step from r*⁺ (red arrow):",
            "η*·|L'(r*⁺)| = r* − r_NL",
        ]
        .into_iter()
        .enumerate()
        {
            c.draw_series(std::iter::once(Text::new(
                line,
                (1.08, 0.82 - 0.07 * i as f64),
                TextStyle::from((FONT, 18).into_font()).color(&C3),
            )))?;
        }
        // Tangent of slope L'(r*+) right of r*.
        let s = m.slope_right_closed() * rs;
        c.draw_series(DashedLineSeries::new(
            vec![(1.0, 0.0), (2.2, 1.2 * s)],
            8,
            5,
            C3.stroke_width(2),
        ))?
        .label("slope |L'(r*⁺)| = 2T_d²/π²")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], C3.stroke_width(2)));
        draw_legend(&mut c, SeriesLabelPosition::LowerRight, 16, 0.9)?;
        Ok(())
    }
}

/// Exact, leading, numeric and GD η* for both models.
struct EtaNumericGd {
    rows: Vec<ScalingRow>,
}

impl Figure for EtaNumericGd {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let mut c = frame(
            root,
            "Critical learning rates: closed form, ODE numerics, GD (T_resp = 5)",
            22,
            (55, 85),
        )
        .build_cartesian_2d(
            log_span(9.0, 450.0).log_scale(),
            log_span(5e-12, 5e-3).log_scale(),
        )?;
        c.configure_mesh()
            .x_desc("T_delay")
            .y_desc("η*")
            .x_label_formatter(&|v| {
                let nice = [10.0, 20.0, 50.0, 100.0, 200.0, 400.0];
                if nice.iter().any(|n: &f64| (v / n - 1.0).abs() < 1e-6) {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&log_tick_label)
            .label_style(font(16))
            .axis_desc_style(font(20))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let td = geomspace(9.5, 420.0, 120);
        for (mech, col, name) in [
            (Mechanism::SlowPoint, C2, "SP"),
            (Mechanism::LimitCycle, C3, "LC"),
        ] {
            let exact: Vec<(f64, f64)> = td
                .iter()
                .filter_map(|&t| {
                    crate::theory::eta_star_exact(mech, t, 5.0)
                        .ok()
                        .map(|e| (t, e))
                })
                .collect();
            let lead: Vec<(f64, f64)> = td
                .iter()
                .filter_map(|&t| {
                    crate::theory::eta_star_leading(mech, t, 5.0)
                        .ok()
                        .map(|e| (t, e))
                })
                .collect();
            // Exact: a wide light line; leading order: dark dashes on top, visible where the
            // two coincide (large T_delay) and where they part (small T_delay).
            let light = col.mix(0.45);
            let dark = RGBColor(col.0 / 2, col.1 / 2, col.2 / 2);
            c.draw_series(LineSeries::new(exact, light.stroke_width(5)))?
                .label(format!("{name} exact η*"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], light.stroke_width(5))
                });
            c.draw_series(DashedLineSeries::new(lead, 9, 6, dark.stroke_width(2)))?
                .label(format!("{name} leading order"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 9, y)], dark.stroke_width(2))
                });
            c.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?;
            let pick = |r: &ScalingRow| match mech {
                Mechanism::SlowPoint => r.sp,
                Mechanism::LimitCycle => r.lc,
            };
            c.draw_series(
                self.rows
                    .iter()
                    .map(|r| Circle::new((r.t_delay, pick(r).numeric), 6, col.stroke_width(2))),
            )?
            .label(format!("{name} numeric (ODE)"))
            .legend(move |(x, y)| Circle::new((x + 12, y), 5, col.stroke_width(2)));
            c.draw_series(
                self.rows
                    .iter()
                    .map(|r| TriangleMarker::new((r.t_delay, pick(r).gd), 7, col.filled())),
            )?
            .label(format!("{name} GD boundary"))
            .legend(move |(x, y)| TriangleMarker::new((x + 12, y), 5, col.filled()));
        }
        draw_legend(&mut c, SeriesLabelPosition::LowerLeft, 15, 0.9)?;
        Ok(())
    }
}

/// Local exponent β against T_resp/T_delay.
struct LocalExponent {
    rows: Vec<ScalingRow>,
}

impl Figure for LocalExponent {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (klo, khi) = (1e-3, 10.0);
        let mut c = frame(
            root,
            "Local exponent β = −d ln η*/d ln T_delay at fixed T_resp",
            22,
            (55, 60),
        )
        .build_cartesian_2d(log_span(klo, khi).log_scale(), 0.8..5.6)?;
        c.configure_mesh()
            .x_desc("K = T_resp / T_delay")
            .y_desc("β")
            .x_label_formatter(&|v| format!("{v}"))
            .label_style(font(16))
            .axis_desc_style(font(20))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (lo, hi, col, name) in [
            (4.0, 5.0, C2, "SP range [4, 5]"),
            (2.0, 3.0, C3, "LC range [2, 3]"),
        ] {
            c.draw_series(std::iter::once(Rectangle::new(
                [(klo, lo), (khi, hi)],
                col.mix(0.12).filled(),
            )))?;
            c.draw_series(std::iter::once(Text::new(
                name,
                (2.0e-3, hi - 0.12),
                font(16),
            )))?;
        }
        let ks = geomspace(klo, khi, 300);
        let td = 100.0;
        for (mech, col, name) in [
            (Mechanism::SlowPoint, C2, "SP exact"),
            (Mechanism::LimitCycle, C3, "LC exact (none for K ≥ 2)"),
        ] {
            // Split at K = 1, where the LC η* jumps (its closed form ends at K = 2).
            let below: Vec<f64> = ks.iter().copied().filter(|&k| k < 1.0).collect();
            let above: Vec<f64> = ks.iter().copied().filter(|&k| k > 1.0).collect();
            for (i, part) in [below, above].into_iter().enumerate() {
                let pts: Vec<(f64, f64)> = part
                    .into_iter()
                    .filter_map(|k| {
                        local_exponent_exact(mech, td, RespSpec::Fixed(k * td))
                            .ok()
                            .map(|b| (k, b))
                    })
                    .collect();
                let s = c.draw_series(LineSeries::new(pts, col.stroke_width(3)))?;
                if i == 0 {
                    s.label(name).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], col.stroke_width(3))
                    });
                }
            }
        }
        let label = ("T_resp = T_delay", (1.08, 5.45), 15);
        dashed_vline(&mut c, 1.0, (0.8, 5.6), MARKER, Some(label))?;
        // Numeric points: local exponents of the ODE-numeric η* table at T_resp = 5.
        let t: Vec<f64> = self.rows.iter().map(|r| r.t_delay).collect();
        for (sel, col, name) in [
            (0usize, C2, "SP numeric (T_resp = 5)"),
            (1, C3, "LC numeric (T_resp = 5)"),
        ] {
            let eta: Vec<f64> = self
                .rows
                .iter()
                .map(|r| if sel == 0 { r.sp.numeric } else { r.lc.numeric })
                .collect();
            if let Ok(b) = local_exponents(&t, &eta) {
                // Interior points only (central differences), at the geometric-mean K.
                let pts: Vec<(f64, f64)> = (1..t.len() - 1).map(|i| (5.0 / t[i], b[i])).collect();
                c.draw_series(pts.iter().map(|&p| Circle::new(p, 6, col.filled())))?
                    .label(name)
                    .legend(move |(x, y)| Circle::new((x + 12, y), 5, col.filled()));
                c.draw_series(
                    pts.iter()
                        .map(|&p| Circle::new(p, 6, BLACK.stroke_width(1))),
                )?;
            }
        }
        draw_legend(&mut c, SeriesLabelPosition::LowerLeft, 15, 0.9)?;
        Ok(())
    }
}

/// The theory figure of a formula model: left, η* against T_delay (log–log) from the
/// integrated ODE (circles), the normal-form prediction at all orders in T_resp/T_delay (line)
/// and its leading term C T_resp T_delay^−β (dashed); right, the local exponent
/// −d ln η*/d ln T_delay of the numeric η* (central differences) against the leading-order β.
/// Writes `model_<name>_theory.{png,svg}` into `out_dir`.
pub fn render_model(
    name: &str,
    rows: &[crate::theory::ModelRow],
    beta_leading: f64,
    out_dir: &Path,
) -> Result<Vec<PathBuf>> {
    if rows.len() < 3 {
        return Err(crate::Error::invalid(
            "--t-delay",
            "the model figure needs at least 3 delays",
        ));
    }
    let stem: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    save_figure(
        &ModelTheory {
            name: name.to_string(),
            rows: rows.to_vec(),
            beta_leading,
        },
        out_dir,
        &format!("model_{stem}_theory"),
        (1400, 600),
    )
}

/// Tick label at 1, 2 and 5 × 10^k (in plain notation), empty elsewhere, so that the many
/// minor ticks of a log axis do not overlap.
fn one_two_five(v: &f64) -> String {
    let e = v.log10().floor();
    let m = v / 10f64.powf(e);
    if [1.0, 2.0, 5.0]
        .iter()
        .any(|n: &f64| (m / n - 1.0).abs() < 1e-6)
    {
        format!("{v}")
    } else {
        String::new()
    }
}

/// See [`render_model`].
struct ModelTheory {
    name: String,
    rows: Vec<crate::theory::ModelRow>,
    beta_leading: f64,
}

impl Figure for ModelTheory {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (left, right) = root.split_horizontally(760);
        let t: Vec<f64> = self.rows.iter().map(|r| r.t_delay).collect();
        let finite = |v: f64| v.is_finite() && v > 0.0;
        let etas: Vec<f64> = self
            .rows
            .iter()
            .flat_map(|r| [r.eta_numeric, r.eta_predicted, r.eta_leading])
            .filter(|&v| finite(v))
            .collect();
        let (ylo, yhi) = etas
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
        let (xlo, xhi) = (t[0].min(t[t.len() - 1]), t[0].max(t[t.len() - 1]));
        let mut c = frame(
            &left,
            &format!("{}: critical learning rate", self.name),
            22,
            (55, 85),
        )
        .build_cartesian_2d(
            log_span(xlo / 1.1, xhi * 1.1).log_scale(),
            log_span(ylo / 2.0, yhi * 2.0).log_scale(),
        )?;
        c.configure_mesh()
            .x_desc("T_delay")
            .y_desc("η*")
            .x_label_formatter(&one_two_five)
            .y_label_formatter(&log_tick_label)
            .label_style(font(16))
            .axis_desc_style(font(20))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let series = |f: fn(&crate::theory::ModelRow) -> f64| -> Vec<(f64, f64)> {
            self.rows
                .iter()
                .map(|r| (r.t_delay, f(r)))
                .filter(|&(_, v)| finite(v))
                .collect()
        };
        c.draw_series(LineSeries::new(
            series(|r| r.eta_predicted),
            C0.stroke_width(3),
        ))?
        .label("normal form, all orders")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], C0.stroke_width(3)));
        c.draw_series(DashedLineSeries::new(
            series(|r| r.eta_leading),
            9,
            6,
            C1.stroke_width(2),
        ))?
        .label(format!("leading term ∝ T_delay^-{}", self.beta_leading))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 9, y)], C1.stroke_width(2)));
        c.draw_series(
            series(|r| r.eta_numeric)
                .into_iter()
                .map(|p| Circle::new(p, 6, BLACK.stroke_width(2))),
        )?
        .label("integrated ODE")
        .legend(|(x, y)| Circle::new((x + 12, y), 5, BLACK.stroke_width(2)));
        draw_legend(&mut c, SeriesLabelPosition::LowerLeft, 15, 0.9)?;

        let eta: Vec<f64> = self.rows.iter().map(|r| r.eta_numeric).collect();
        let b = local_exponents(&t, &eta).map_err(|e| e.to_string())?;
        let pts: Vec<(f64, f64)> = (1..t.len() - 1)
            .map(|i| (t[i], b[i]))
            .filter(|p| p.1.is_finite())
            .collect();
        let (blo, bhi) = pts
            .iter()
            .map(|p| p.1)
            .chain([self.beta_leading])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, c), v| {
                (a.min(v), c.max(v))
            });
        let pad = 0.1 * (bhi - blo).max(0.5);
        let mut c = frame(&right, "local exponent", 22, (55, 60)).build_cartesian_2d(
            log_span(xlo / 1.1, xhi * 1.1).log_scale(),
            (blo - pad)..(bhi + pad),
        )?;
        c.configure_mesh()
            .x_desc("T_delay")
            .y_desc("β = −d ln η*/d ln T_delay")
            .x_label_formatter(&one_two_five)
            .label_style(font(16))
            .axis_desc_style(font(20))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        c.draw_series(DashedLineSeries::new(
            vec![
                (xlo / 1.1, self.beta_leading),
                (xhi * 1.1, self.beta_leading),
            ],
            9,
            6,
            C1.stroke_width(2),
        ))?
        .label(format!("leading-order β = {}", self.beta_leading))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 9, y)], C1.stroke_width(2)));
        c.draw_series(pts.iter().map(|&p| Circle::new(p, 6, BLACK.filled())))?
            .label("integrated ODE")
            .legend(|(x, y)| Circle::new((x + 12, y), 5, BLACK.filled()));
        draw_legend(&mut c, SeriesLabelPosition::LowerRight, 15, 0.9)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fig1e_epochs_follow_the_task() {
        // docs/tasks.md at a 100 ms delay: L = 16 + 100/5 = 36 steps, +6 with the 30 ms post
        // period; the cue is on for 6 steps (30 ms) and the response lasts 10 steps (50 ms).
        let f = Fig1E::new(100).unwrap();
        assert_eq!(f.tasks[0].steps, 36);
        assert_eq!(f.tasks[1].steps, 42);
        let t = &f.tasks[1];
        let cue: Vec<usize> = (0..42)
            .filter(|&s| t.inputs[2 * s + 1] == [1.0, 0.0])
            .collect();
        let resp: Vec<usize> = (0..42)
            .filter(|&s| t.targets[2 * s + 1] == [1.0, 0.0])
            .collect();
        assert_eq!(cue, (0..6).collect::<Vec<_>>());
        assert_eq!(resp, (26..36).collect::<Vec<_>>());
        let st = stairs([0.0, 1.0].into_iter());
        assert_eq!(st, vec![(0.0, 0.0), (5.0, 0.0), (5.0, 1.0), (10.0, 1.0)]);
    }
}
