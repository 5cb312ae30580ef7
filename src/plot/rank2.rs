//! Rank-2 network figures (paper_figures/README.md): Fig 2 rows (η = 1, 1e-2, 1e-4), Fig 3A/B (with and
//! without a post period) and Fig S1 (SP → transition → LC during training).
//!
//! All runs start from the paper's seed-30 rank-2 network at initialisation (embedded from
//! `tests/data/rank2_seed30_init.json`) and train in f32 with plain SGD (docs/training.md).
//! [`render_all`] uses [`Rank2Budget::Quick`]: the paper's budgets except Fig 2 at η = 1e-4,
//! which stops after 1,000,000 instead of 5,000,000 epochs; [`render_all_with`] takes
//! [`Rank2Budget::Paper`] for the full budgets (the files committed in `paper_figures/`
//! were rendered with [`Rank2Budget::Paper`], ~90 s on one core).

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use super::{
    draw_colour_bar, draw_legend, font, jet, log_span, log_tick_label, sample_field, save_figure,
    DrawResult, Figure, C0, C1, C7,
};
use crate::rnn::model::{rank2_rollout, Rank2Params, DT_MS};
use crate::rnn::task::Rank2Task;
use crate::rnn::train::{train_rank2, History, Rank2Config};
use crate::Result;

/// Epoch budgets of the rank-2 figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rank2Budget {
    /// Paper budgets, except 1,000,000 epochs for Fig 2 at η = 1e-4.
    Quick,
    /// The paper's budgets (docs/tasks.md, docs/decisions.md): Fig 2 η = 1: 50,000; η = 1e-2, 1e-4: 5,000,000
    /// with early stop; Fig 3: 500,000 / 1,000,000; Fig S1: 150,000.
    Paper,
}

pub use crate::assets::rank2_seed30_init as seed30_init;

/// Render every figure of this family into `out_dir` with [`Rank2Budget::Quick`].
pub fn render_all(out_dir: &Path) -> Result<Vec<PathBuf>> {
    render_all_with(out_dir, Rank2Budget::Quick)
}

/// Epochs of the three Fig S1 snapshot panels (SP manifold, transition, limit cycle).
const FIG_S1_SNAPSHOTS: [usize; 3] = [40_000, 67_000, 130_000];

struct RunSpec {
    delay: usize,
    resp: usize,
    post: usize,
    lr: f64,
    epochs: usize,
    early_stop: Option<f64>,
    snapshots: Vec<usize>,
}

struct RunOut {
    spec_delay: usize,
    total: usize,
    lr: f64,
    history: History,
    params: Rank2Params<f32>,
    snapshots: Vec<(usize, Rank2Params<f32>)>,
}

fn run(init: &Rank2Params<f32>, s: &RunSpec) -> Result<RunOut> {
    let task = Rank2Task::<f32>::from_steps(s.delay, s.resp, s.post)?;
    let cfg = Rank2Config {
        lr: s.lr,
        epochs: s.epochs,
        early_stop: s.early_stop,
        snapshot_epochs: s.snapshots.clone(),
    };
    let r = train_rank2(init.clone(), task.clone(), &cfg, &mut |_, _| {})?;
    Ok(RunOut {
        spec_delay: s.delay,
        total: task.total(),
        lr: s.lr,
        history: r.history,
        params: r.params,
        snapshots: r.snapshots,
    })
}

/// Render Fig 2, Fig 3A/B and Fig S1 with the given budgets.
pub fn render_all_with(out_dir: &Path, budget: Rank2Budget) -> Result<Vec<PathBuf>> {
    let init = seed30_init()?;
    let e4 = match budget {
        Rank2Budget::Quick => 1_000_000,
        Rank2Budget::Paper => 5_000_000,
    };
    let spec = |delay, resp, post, lr, epochs, early: bool, snaps: Vec<usize>| RunSpec {
        delay,
        resp,
        post,
        lr,
        epochs,
        early_stop: early.then_some(1e-4),
        snapshots: snaps,
    };
    let specs = vec![
        spec(15, 2, 0, 1.0, 50_000, true, vec![]),
        spec(15, 2, 0, 1e-2, 5_000_000, true, vec![]),
        spec(15, 2, 0, 1e-4, e4, true, vec![]),
        spec(6, 2, 0, 1e-3, 500_000, false, vec![]),
        spec(6, 2, 6, 1e-3, 1_000_000, false, vec![]),
        // Fig S1: its three panels' snapshots and, for the bifurcation scan, checkpoints
        // every 5,000 epochs.
        spec(30, 10, 0, 1e-2, 150_000, false, {
            let mut e: Vec<usize> = (0..30).map(|k| k * 5_000).collect();
            e.extend(FIG_S1_SNAPSHOTS);
            e.sort_unstable();
            e.dedup();
            e
        }),
    ];
    let outs: Vec<RunOut> = specs
        .par_iter()
        .map(|s| run(&init, s))
        .collect::<Result<Vec<_>>>()?;
    let mut files = Vec::new();
    files.extend(save_figure(
        &Fig2 { runs: &outs[0..3] },
        out_dir,
        "fig2_rank2_learning_rates",
        (2000, 1500),
    )?);
    files.extend(save_figure(
        &Fig3 { runs: &outs[3..5] },
        out_dir,
        "fig3AB_rank2_post",
        (1800, 560),
    )?);
    files.extend(save_figure(
        &FigS1 { run: &outs[5] },
        out_dir,
        "figS1_rank2_transition",
        (1800, 1250),
    )?);
    let s1 = &outs[5];
    let every_5000: Vec<(usize, Rank2Params<f32>)> = s1
        .snapshots
        .iter()
        .filter(|(e, _)| e % 5_000 == 0)
        .cloned()
        .collect();
    let scan = crate::analysis::bifurcation::scan_rank2(
        &every_5000,
        crate::rnn::model::alpha(crate::rnn::model::TAU_MS),
        s1.total,
        &Default::default(),
        &Default::default(),
    )?;
    files.extend(crate::plot::bifurcation::render_scan(
        &scan,
        "Fig S1 network (seed-30 rank-2, T = 30, R = 10 steps, η = 0.01): invariant sets along training",
        crate::rnn::model::TAU_MS,
        out_dir,
        "figS1_bifurcations",
    )?);
    Ok(files)
}

/// Panel of normalised curves on a log y axis (x = epoch + 1, log-scaled if `log_x`),
/// every `stride`-th point, with dashed vertical lines at `vlines`.
fn curve_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    curves: &[(&str, RGBColor, &[f64])],
    stride: usize,
    log_x: bool,
    vlines: &[f64],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = curves.iter().map(|c| c.2.len()).max().unwrap_or(1).max(2);
    let pts: Vec<Vec<(f64, f64)>> = curves
        .iter()
        .map(|(_, _, ys)| {
            ys.iter()
                .enumerate()
                .filter(|(i, y)| {
                    (i % stride == 0 || *i + 1 == ys.len()) && y.is_finite() && **y > 0.0
                })
                .map(|(i, &y)| ((i + 1) as f64, y))
                .collect()
        })
        .collect();
    let ymin = pts
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold(f64::INFINITY, f64::min)
        .max(1e-12);
    let ymax = pts
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold(0.0, f64::max)
        .max(ymin * 10.0);
    let (ylo, yhi) = (ymin / 2.0, ymax * 2.0);
    let mut b = ChartBuilder::on(area);
    b.caption(title, font(22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70);
    // One body for the log and the linear epoch axis (different chart types).
    macro_rules! body {
        ($c:ident, $x_fmt:expr, $legend_at:expr) => {{
            $c.configure_mesh()
                .x_desc("epoch")
                .x_label_formatter($x_fmt)
                .y_label_formatter(&log_tick_label)
                .label_style(font(15))
                .axis_desc_style(font(17))
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            for &v in vlines {
                $c.draw_series(DashedLineSeries::new(
                    vec![(v, ylo), (v, yhi)],
                    8,
                    6,
                    BLACK.stroke_width(1),
                ))?;
            }
            for ((label, color, _), p) in curves.iter().zip(&pts) {
                let col = *color;
                $c.draw_series(LineSeries::new(p.iter().copied(), col.stroke_width(2)))?
                    .label(*label)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(3))
                    });
            }
            draw_legend(&mut $c, $legend_at, 15, 0.8)?;
        }};
    }
    if log_x {
        let mut c = b.build_cartesian_2d(
            log_span(1.0, n as f64 * 1.5).log_scale(),
            log_span(ylo, yhi).log_scale(),
        )?;
        body!(c, &log_tick_label, SeriesLabelPosition::LowerLeft);
    } else {
        let mut c = b.build_cartesian_2d(0.0..n as f64, log_span(ylo, yhi).log_scale())?;
        body!(
            c,
            &|v: &f64| format!("{v:.0}"),
            SeriesLabelPosition::UpperRight
        );
    }
    Ok(())
}

fn normalised(h: &[f64], by_first: bool) -> Vec<f64> {
    let d = if by_first {
        h.first().copied().unwrap_or(1.0)
    } else {
        h.iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    };
    h.iter().map(|v| v / d).collect()
}

/// Latent phase portrait (paper_figures/README.md): flow κ̇ = −κ + n tanh(mκ + b) on a 15×15 grid over the
/// trajectory's κ range ± `margin`, the trajectory over 3×total steps (in-trial blue,
/// after-trial orange), markers start ×, response start ● (index T+1), trial end ▶ (index
/// total), decision line W_out·κ + b_out = 0 with a band of ±1.1/W_out[1].
fn portrait<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    p: &Rank2Params<f32>,
    delay: usize,
    total: usize,
    margin: f64,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let roll = rank2_rollout(p, 0.5, 3 * total);
    let k: Vec<(f64, f64)> = roll
        .kappa
        .iter()
        .map(|k| (k[0] as f64, k[1] as f64))
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(a, b) in &k {
        x0 = x0.min(a);
        x1 = x1.max(a);
        y0 = y0.min(b);
        y1 = y1.max(b);
    }
    let (x0, x1, y0, y1) = (x0 - margin, x1 + margin, y0 - margin, y1 + margin);
    let mut c = ChartBuilder::on(area)
        .caption(title, font(20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    c.configure_mesh()
        .x_desc("κ₁")
        .y_desc("κ₂")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(font(14))
        .axis_desc_style(font(17))
        .disable_mesh()
        .draw()?;
    // Decision band and line: κ₂ = −(w0 κ₁ + b)/w1 ± 1.1/w1.
    let (w0, w1, bo) = (p.w_out[0] as f64, p.w_out[1] as f64, p.b_out[0] as f64);
    if w1.abs() > 1e-12 {
        let line = |x: f64| -(w0 * x + bo) / w1;
        let band = (1.1 / w1).abs();
        c.draw_series(std::iter::once(Polygon::new(
            vec![
                (x0, line(x0) - band),
                (x1, line(x1) - band),
                (x1, line(x1) + band),
                (x0, line(x0) + band),
            ],
            C7.mix(0.2).filled(),
        )))?;
        c.draw_series(LineSeries::new(
            vec![(x0, line(x0)), (x1, line(x1))],
            BLACK.stroke_width(1),
        ))?;
    }
    // Flow field.
    let n = p.n_hidden();
    let flow = |a: f64, b: f64| -> (f64, f64) {
        let mut f = (-a, -b);
        for i in 0..n {
            let t = (p.m[2 * i] as f64 * a + p.m[2 * i + 1] as f64 * b + p.b[i] as f64).tanh();
            f.0 += p.n[i] as f64 * t;
            f.1 += p.n[n + i] as f64 * t;
        }
        f
    };
    let g = 15;
    let (dx, dy) = ((x1 - x0) / g as f64, (y1 - y0) / g as f64);
    let (vecs, vmax) = sample_field((x0, x1), (y0, y1), g, flow);
    if vmax > 0.0 {
        for ((a, b), f) in vecs {
            // Length ∝ speed (0.9 cell at the fastest point), in cell units per axis.
            let s = 0.9 / vmax;
            let to = (a + f.0 * s, b + f.1 * s);
            let len = ((to.0 - a) / dx).hypot((to.1 - b) / dy);
            c.draw_series(std::iter::once(PathElement::new(
                vec![(a, b), to],
                C7.stroke_width(1),
            )))?;
            if len > 0.05 {
                // Arrow head: two short strokes in cell-normalised coordinates.
                let (ux, uy) = ((to.0 - a) / dx / len, (to.1 - b) / dy / len);
                let h = 0.18;
                for sgn in [-1.0, 1.0] {
                    let (cs, sn) = (0.45f64.cos(), sgn * 0.45f64.sin());
                    let hx = -(ux * cs - uy * sn) * h * dx;
                    let hy = -(uy * cs + ux * sn) * h * dy;
                    c.draw_series(std::iter::once(PathElement::new(
                        vec![to, (to.0 + hx, to.1 + hy)],
                        C7.stroke_width(1),
                    )))?;
                }
            }
        }
    }
    // Trajectory.
    c.draw_series(LineSeries::new(
        k[..=total].iter().copied(),
        C0.stroke_width(2),
    ))?;
    c.draw_series(LineSeries::new(
        k[total..].iter().copied(),
        C1.stroke_width(2),
    ))?;
    c.draw_series(k[..=total].iter().map(|&q| Circle::new(q, 3, C0.filled())))?;
    c.draw_series(
        k[total + 1..]
            .iter()
            .map(|&q| Circle::new(q, 3, C1.filled())),
    )?;
    c.draw_series(std::iter::once(Cross::new(k[0], 8, BLACK.stroke_width(3))))?;
    c.draw_series(std::iter::once(Circle::new(
        k[(delay + 1).min(k.len() - 1)],
        8,
        BLACK.filled(),
    )))?;
    c.draw_series(std::iter::once(TriangleMarker::new(
        k[total],
        9,
        BLACK.filled(),
    )))?;
    Ok(())
}

/// |x_i(t)| raster over `steps` steps (x_1…x_steps), 'jet' 0–1 with its colour bar, neurons
/// sorted by their first |x| > 0.3; white dashed line at the response start (delay·Δt).
fn raster<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    p: &Rank2Params<f32>,
    delay: usize,
    steps: usize,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = p.n_hidden();
    let roll = rank2_rollout(p, 0.5, steps);
    let first = |i: usize| -> usize {
        (1..=steps)
            .find(|&t| (roll.x[t * n + i] as f64).abs() > 0.3)
            .unwrap_or(steps + 1)
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (first(i), i));
    let t_end = steps as f64 * DT_MS;
    // Colour bar of the 'jet' scale to the right of the raster.
    let (area, bar) = area.split_horizontally(area.dim_in_pixel().0.saturating_sub(80));
    draw_colour_bar(&bar, "|x|", 20, 12, 45, (0.0, 1.0), &[0.0, 0.5, 1.0], jet)?;
    let mut c = ChartBuilder::on(&area)
        .caption(title, font(20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..t_end, 0.5..n as f64 + 0.5)?;
    c.configure_mesh()
        .x_desc("time (ms)")
        .y_desc("neuron")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(font(14))
        .axis_desc_style(font(17))
        .disable_mesh()
        .draw()?;
    let x_edges: Vec<f64> = (0..=steps).map(|t| t as f64 * DT_MS).collect();
    let y_edges: Vec<f64> = (0..=n).map(|j| j as f64 + 0.5).collect();
    let mut rgb = Vec::with_capacity(n * steps);
    for &i in &order {
        for t in 1..=steps {
            rgb.push(jet((roll.x[t * n + i] as f64).abs()));
        }
    }
    super::draw_rgb_image(&mut c, &x_edges, &y_edges, &rgb)?;
    let tr = delay as f64 * DT_MS;
    c.draw_series(DashedLineSeries::new(
        vec![(tr, 0.5), (tr, n as f64 + 0.5)],
        8,
        6,
        WHITE.stroke_width(2),
    ))?;
    Ok(())
}

fn eta_label(lr: f64) -> String {
    if lr >= 1.0 {
        format!("{lr}")
    } else {
        format!("1e{}", lr.log10().round() as i32)
    }
}

struct Fig2<'a> {
    runs: &'a [RunOut],
}

impl Figure for Fig2<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rows = root.split_evenly((3, 4));
        for (r, run) in self.runs.iter().enumerate() {
            let h = &run.history;
            let loss = normalised(&h.loss, true);
            let grad = normalised(&h.grad_norm, false);
            let stride = if run.lr >= 1.0 { 1 } else { 10 };
            let stop = match h.loss.last() {
                Some(&l) if l / h.loss[0] < 1e-4 => format!(", stop {}", h.len()),
                _ => String::new(),
            };
            curve_panel(
                &rows[4 * r],
                &format!(
                    "η = {}: loss, grad (epochs {}{stop})",
                    eta_label(run.lr),
                    h.len()
                ),
                &[("loss / loss₀", C0, &loss), ("grad / max", C1, &grad)],
                stride,
                true,
                &[],
            )?;
            portrait(
                &rows[4 * r + 1],
                "latent phase portrait",
                &run.params,
                run.spec_delay,
                run.total,
                10.0,
            )?;
            raster(
                &rows[4 * r + 2],
                "|x(t)|, trial",
                &run.params,
                run.spec_delay,
                run.total,
            )?;
            raster(
                &rows[4 * r + 3],
                "|x(t)|, 3× trial",
                &run.params,
                run.spec_delay,
                3 * run.total,
            )?;
        }
        Ok(())
    }
}

struct Fig3<'a> {
    runs: &'a [RunOut],
}

impl Figure for Fig3<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let cols = root.split_evenly((1, 3));
        let l0 = normalised(&self.runs[0].history.loss, true);
        let l1 = normalised(&self.runs[1].history.loss, true);
        curve_panel(
            &cols[0],
            "A: loss / loss₀ (T_delay = 30 ms, η = 1e-3)",
            &[("T_post = 0", C0, &l0), ("T_post = 30 ms", C1, &l1)],
            10,
            true,
            &[],
        )?;
        portrait(
            &cols[1],
            "B: T_post = 0",
            &self.runs[0].params,
            6,
            self.runs[0].total,
            10.0,
        )?;
        portrait(
            &cols[2],
            "B: T_post = 30 ms",
            &self.runs[1].params,
            6,
            self.runs[1].total,
            10.0,
        )?;
        Ok(())
    }
}

struct FigS1<'a> {
    run: &'a RunOut,
}

impl Figure for FigS1<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (top, bottom) = root.split_vertically(420);
        let loss = normalised(&self.run.history.loss, true);
        curve_panel(
            &top,
            "A: loss / loss₀ (T_delay = 150 ms, T_resp = 50 ms, η = 1e-2)",
            &[("loss / loss₀", C0, &loss)],
            30,
            false,
            &FIG_S1_SNAPSHOTS.map(|e| e as f64),
        )?;
        let cells = bottom.split_evenly((2, 3));
        let names = ["SP manifold", "Transition", "Limit cycle"];
        let task = Rank2Task::<f32>::from_steps(30, 10, 0).map_err(|e| e.to_string())?;
        let panels = self
            .run
            .snapshots
            .iter()
            .filter(|(e, _)| FIG_S1_SNAPSHOTS.contains(e));
        for (k, (epoch, p)) in panels.enumerate() {
            let roll = rank2_rollout(p, 0.5, task.total());
            let mut c = ChartBuilder::on(&cells[k])
                .caption(
                    format!("{} (epoch {epoch}): target vs output", names[k]),
                    font(18),
                )
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(50)
                .build_cartesian_2d(0.0..task.total() as f64 * DT_MS, -0.05..1.05)?;
            c.configure_mesh()
                .x_desc("time (ms)")
                .x_label_formatter(&|v| format!("{v:.0}"))
                .label_style(font(14))
                .axis_desc_style(font(16))
                .disable_mesh()
                .draw()?;
            let ms = |t: usize| (t + 1) as f64 * DT_MS;
            c.draw_series(LineSeries::new(
                task.targets
                    .iter()
                    .enumerate()
                    .map(|(t, &y)| (ms(t), y as f64)),
                BLACK.stroke_width(2),
            ))?
            .label("target")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
            c.draw_series(LineSeries::new(
                roll.output
                    .iter()
                    .enumerate()
                    .map(|(t, &o)| (ms(t), o as f64)),
                C0.stroke_width(2),
            ))?
            .label("output")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], C0.stroke_width(2)));
            draw_legend(&mut c, SeriesLabelPosition::UpperLeft, 14, 0.8)?;
            portrait(&cells[3 + k], names[k], p, 30, task.total(), 2.0)?;
        }
        Ok(())
    }
}
