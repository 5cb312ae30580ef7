//! Figures of the `sweep` family (paper_figures/README.md): Fig 4A–F, 4H, 4I, S3A–F, S5A–C, S6A–C from sweep
//! results.
//!
//! **Where the data come from.** [`render_all`] looks for sweep directories (each with a
//! `runs.jsonl`) under the root `$DYNPHASE_SWEEPS`, default `sweeps/`:
//!
//! | experiment | directories tried, in order |
//! |---|---|
//! | no post (Fig 4A–C, 4H, S3) | `nopost/merged`, `nopost`, `quick/merged`, `quick` |
//! | post (Fig 4D–F, 4I) | `post/merged`, `post`, `quick-post/merged`, `quick-post` |
//! | long τ (Fig S5) | `long-tau/merged`, `long-tau`, `quick-long-tau/merged`, `quick-long-tau` |
//! | no-memory (Fig S6) | `no-memory/merged`, `no-memory`, `quick-no-memory/merged`, `quick-no-memory` |
//!
//! (the layout written by `dynphase sweep --out sweeps/PRESET` and by
//! `examples/slurm/finish.sh`). Experiments without data are skipped with a message on
//! standard error. [`render_records`] renders from records already in memory.
//!
//! **Conventions** (docs/fits.md, paper_figures/README.md): class colours C0 #1f77b4 not learned, C1 #ff7f0e LC,
//! C2 #2ca02c SP, C3 #d62728 unstable; phase-diagram pixel RGB = (f_LC, f_SP, f_fail), rows η
//! (largest on top), columns delays ascending; fixed-window RGB = (f_not, f_learned, 0).
//! Curves are mean ± SEM over all networks of a class at the chosen η, pooled over delays.
//! Each figure is written as PNG and SVG.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::fit;
use crate::sweep::aggregate::{cell_fractions, class_curves, index_values, nearest_lr, Metric};
use crate::sweep::phase::{phase_table, PhaseTable};
use crate::sweep::store::{scan_store, RUNS_FILE};
use crate::sweep::{Experiment, RunRecord};
use crate::{Error, Result};

/// Environment variable naming the root of the sweep directories (default [`DEFAULT_ROOT`]).
pub const ROOT_ENV: &str = "DYNPHASE_SWEEPS";
/// Default root of the sweep directories.
pub const DEFAULT_ROOT: &str = "sweeps";

/// matplotlib C0 (not learned).
pub const C0: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
/// matplotlib C1 (limit cycle).
pub const C1: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
/// matplotlib C2 (slow point).
pub const C2: RGBColor = RGBColor(0x2c, 0xa0, 0x2c);
/// matplotlib C3 (unstable learning).
pub const C3: RGBColor = RGBColor(0xd6, 0x27, 0x28);

const FONT: &str = "sans-serif";

fn ensure_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

fn plot_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::format(path, format!("cannot draw figure: {e}"))
}

/// Draw the same body into `out/name.png` and `out/name.svg`.
macro_rules! save_both {
    ($out:expr, $name:expr, $size:expr, |$root:ident| $body:block) => {{
        let mut written = Vec::new();
        {
            let path = $out.join(format!("{}.png", $name));
            {
                let $root = BitMapBackend::new(&path, $size).into_drawing_area();
                $root.fill(&WHITE).map_err(|e| plot_err(&path, e))?;
                let draw = || -> std::result::Result<(), Box<dyn std::error::Error>> { $body };
                let r = draw();
                r.map_err(|e| plot_err(&path, e))?;
                $root.present().map_err(|e| plot_err(&path, e))?;
            }
            written.push(path);
        }
        {
            let path = $out.join(format!("{}.svg", $name));
            {
                let $root = SVGBackend::new(&path, $size).into_drawing_area();
                $root.fill(&WHITE).map_err(|e| plot_err(&path, e))?;
                let draw = || -> std::result::Result<(), Box<dyn std::error::Error>> { $body };
                let r = draw();
                r.map_err(|e| plot_err(&path, e))?;
                $root.present().map_err(|e| plot_err(&path, e))?;
            }
            written.push(path);
        }
        written
    }};
}

type DynErr = Box<dyn std::error::Error>;

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

fn class_colour(class: u8, experiment: Experiment) -> RGBColor {
    if experiment == Experiment::NoMemory {
        return if class == 1 { C2 } else { C3 };
    }
    match class {
        1 => C1,
        2 => C2,
        3 => C3,
        _ => C0,
    }
}

fn class_label(class: u8, experiment: Experiment) -> &'static str {
    if experiment == Experiment::NoMemory {
        return if class == 1 { "Correct" } else { "Not learned" };
    }
    match class {
        0 => "Not learned",
        1 => "Limit cycle",
        2 => "Slow point",
        _ => "Unstable",
    }
}

fn metric_label(m: Metric) -> &'static str {
    match m {
        Metric::Loss => "Loss",
        Metric::Accuracy => "Accuracy",
        Metric::Reliability => "Reliability",
    }
}

/// Per-class learning curves (mean ± SEM) at the η nearest `lr` (Fig 4A/D, S3A/B, S5A, S6A).
#[allow(clippy::too_many_arguments)]
fn curves_figure(
    records: &[RunRecord],
    experiment: Experiment,
    lr: f64,
    metric: Metric,
    classes: &[u8],
    log_y: bool,
    y_range: Option<(f64, f64)>,
    title: &str,
    out: &Path,
    name: &str,
) -> Result<Vec<PathBuf>> {
    let Some(lr) = nearest_lr(records, experiment, lr) else {
        return Ok(Vec::new());
    };
    let curves = class_curves(records, experiment, lr, metric, classes);
    let len = curves.iter().map(|c| c.mean.len()).max().unwrap_or(0);
    if len == 0 {
        return Ok(Vec::new());
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
    let (ylo, yhi) = match y_range {
        Some(r) => r,
        None if log_y => {
            let lo = lo.max(1e-6);
            (lo * 0.8, hi.max(lo * 10.0) * 1.25)
        }
        None => (lo.min(0.0), hi.max(lo + 1e-9) * 1.05),
    };
    let caption = format!("{title} (η = {lr:.4})");
    let files = save_both!(out, name, (640, 480), |root| {
        draw_curves(
            &root, &curves, experiment, len, metric, log_y, ylo, yhi, &caption,
        )
    });
    Ok(files)
}

#[allow(clippy::too_many_arguments)]
fn draw_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    curves: &[crate::sweep::aggregate::ClassCurve],
    experiment: Experiment,
    len: usize,
    metric: Metric,
    log_y: bool,
    ylo: f64,
    yhi: f64,
    caption: &str,
) -> std::result::Result<(), DynErr>
where
    DB::ErrorType: 'static,
{
    let mut b = ChartBuilder::on(root);
    b.caption(caption, (FONT, 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60);
    let xr = 0f64..len as f64;
    macro_rules! body {
        ($chart:ident) => {{
            $chart
                .configure_mesh()
                .disable_mesh()
                .x_desc("Epochs (stored window)")
                .y_desc(metric_label(metric))
                .x_label_formatter(&fmt_int)
                .y_label_formatter(&|v| fmt_g(*v))
                .label_style((FONT, 14))
                .draw()?;
            for c in curves.iter().filter(|c| c.n > 0) {
                let col = class_colour(c.class, experiment);
                let band: Vec<(f64, f64)> = (0..c.mean.len())
                    .filter(|&i| c.mean[i].is_finite())
                    .map(|i| (i as f64, (c.mean[i] + c.sem[i]).max(ylo).min(yhi)))
                    .chain(
                        (0..c.mean.len())
                            .rev()
                            .filter(|&i| c.mean[i].is_finite())
                            .map(|i| (i as f64, (c.mean[i] - c.sem[i]).max(ylo).min(yhi))),
                    )
                    .collect();
                $chart.draw_series(std::iter::once(Polygon::new(band, col.mix(0.25))))?;
                $chart
                    .draw_series(LineSeries::new(
                        (0..c.mean.len())
                            .filter(|&i| c.mean[i].is_finite())
                            .map(|i| (i as f64, c.mean[i].max(ylo).min(yhi))),
                        col.stroke_width(2),
                    ))?
                    .label(format!(
                        "{} (n = {})",
                        class_label(c.class, experiment),
                        c.n
                    ))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(3))
                    });
            }
            $chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .label_font((FONT, 14))
                .draw()?;
        }};
    }
    if log_y {
        let mut chart = b.build_cartesian_2d(xr, (ylo..yhi).log_scale())?;
        body!(chart);
    } else {
        let mut chart = b.build_cartesian_2d(xr, ylo..yhi)?;
        body!(chart);
    }
    Ok(())
}

/// Fractions vs delay, one thin line per η and class (Fig 4B/E, S5B).
fn fractions_figure(
    table: &PhaseTable,
    experiment: Experiment,
    title: &str,
    out: &Path,
    name: &str,
) -> Result<Vec<PathBuf>> {
    let fr = cell_fractions(table);
    let mut lrs: Vec<f64> = table.cells.iter().map(|c| c.lr).collect();
    lrs.dedup();
    let dmax = table
        .cells
        .iter()
        .map(|c| c.delay_ms)
        .fold(0.0f64, f64::max)
        .max(1.0);
    let files = save_both!(out, name, (640, 480), |root| {
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..dmax, 0f64..1.02)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("Delay (ms)")
            .y_desc("Fraction of networks")
            .x_label_formatter(&fmt_int)
            .y_label_formatter(&|v| fmt_g(*v))
            .label_style((FONT, 14))
            .draw()?;
        let series: [(usize, RGBColor, &str); 3] = [
            (0, C0, "Not learned"),
            (1, C1, "Limit cycle"),
            (2, C2, "Slow point"),
        ];
        for (k, col, label) in series {
            for (j, &lr) in lrs.iter().enumerate() {
                let pts: Vec<(f64, f64)> = table
                    .cells
                    .iter()
                    .zip(&fr)
                    .filter(|(c, _)| c.lr == lr)
                    .map(|(c, f)| (c.delay_ms, [f.0, f.1, f.2][k]))
                    .collect();
                let s = chart.draw_series(LineSeries::new(pts, col.mix(0.6).stroke_width(1)))?;
                if j == 0 {
                    s.label(label).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(3))
                    });
                }
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FONT, 14))
            .draw()?;
        let _ = experiment;
        Ok(())
    });
    Ok(files)
}

/// RGB phase diagram (Fig 4H/I, S5C, S6B).
fn phase_figure(
    table: &PhaseTable,
    experiment: Experiment,
    title: &str,
    out: &Path,
    name: &str,
) -> Result<Vec<PathBuf>> {
    let fr = cell_fractions(table);
    let mut lrs: Vec<f64> = table.cells.iter().map(|c| c.lr).collect();
    lrs.sort_by(|a, b| b.total_cmp(a));
    lrs.dedup();
    let mut delays: Vec<f64> = table.cells.iter().map(|c| c.delay_ms).collect();
    delays.sort_by(|a, b| a.total_cmp(b));
    delays.dedup();
    let (nr, nc) = (lrs.len() as i32, delays.len() as i32);
    let xdesc = if experiment == Experiment::NoMemory {
        "Response window (ms)"
    } else {
        "Delay (ms)"
    };
    let files = save_both!(out, name, (720, 560), |root| {
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(70)
            // Segments 0..=n-1 (plotters' segmented range is inclusive of its end).
            .build_cartesian_2d(
                (0..(nc - 1).max(0)).into_segmented(),
                (0..(nr - 1).max(0)).into_segmented(),
            )?;
        let dl = delays.clone();
        let ll = lrs.clone();
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nc as usize)
            .y_labels(nr as usize)
            .x_label_formatter(&move |v| match v {
                SegmentValue::CenterOf(i) if *i >= 0 && (*i as usize) < dl.len() && i % 2 == 0 => {
                    format!("{}", dl[*i as usize])
                }
                _ => String::new(),
            })
            .y_label_formatter(&move |v| match v {
                SegmentValue::CenterOf(i) if *i >= 0 && (*i as usize) < ll.len() => {
                    format!("{:.2}", ll[ll.len() - 1 - *i as usize].log10())
                }
                _ => String::new(),
            })
            .x_desc(xdesc)
            .y_desc("log10 learning rate")
            .label_style((FONT, 13))
            .draw()?;
        let to_u8 = |x: f64| (x.clamp(0.0, 1.0) * 255.0).round() as u8;
        let edge = |k: i32, n: i32| {
            if k >= n {
                SegmentValue::Last
            } else {
                SegmentValue::Exact(k)
            }
        };
        chart.draw_series(table.cells.iter().zip(&fr).filter_map(|(c, f)| {
            let i = lrs.iter().position(|&l| l == c.lr)? as i32;
            let j = delays.iter().position(|&d| d == c.delay_ms)? as i32;
            let row = nr - 1 - i;
            let rgb = if experiment == Experiment::NoMemory {
                RGBColor(to_u8(f.0), to_u8(f.1), 0)
            } else {
                RGBColor(to_u8(f.1), to_u8(f.2), to_u8(f.0))
            };
            Some(Rectangle::new(
                [
                    (SegmentValue::Exact(j), SegmentValue::Exact(row)),
                    (edge(j + 1, nc), edge(row + 1, nr)),
                ],
                rgb.filled(),
            ))
        }))?;
        Ok(())
    });
    Ok(files)
}

/// Index histograms of LC and SP networks with exponential / Gaussian overlays (Fig S3C).
fn index_histogram_figure(
    records: &[RunRecord],
    experiment: Experiment,
    out: &Path,
    name: &str,
) -> Result<Vec<PathBuf>> {
    let lc = index_values(records, experiment, 1);
    let sp = index_values(records, experiment, 2);
    if lc.is_empty() && sp.is_empty() {
        return Ok(Vec::new());
    }
    // 50 equally spaced edges on [0, 1] -> 49 bins, density-normalised.
    let nb = 49usize;
    let w = 1.0 / nb as f64;
    let density = |v: &[f64]| {
        let mut h = vec![0.0; nb];
        for &x in v {
            if (0.0..=1.0).contains(&x) {
                h[((x / w) as usize).min(nb - 1)] += 1.0;
            }
        }
        let n = v.len().max(1) as f64;
        h.iter().map(|c| c / (n * w)).collect::<Vec<f64>>()
    };
    let (hl, hs) = (density(&lc), density(&sp));
    let ymax = hl
        .iter()
        .chain(&hs)
        .fold(0.0f64, |a, &b| a.max(b))
        .clamp(1.0, 40.0)
        * 1.05;
    let files = save_both!(out, name, (640, 480), |root| {
        let mut chart = ChartBuilder::on(&root)
            .caption("Mechanism index of learned networks", (FONT, 20))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..1.0, 0f64..ymax)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("Index")
            .y_desc("Frequency (normalized)")
            .x_label_formatter(&|v| fmt_g(*v))
            .y_label_formatter(&|v| fmt_g(*v))
            .label_style((FONT, 14))
            .draw()?;
        for (h, v, col, label) in [(&hl, &lc, C1, "Limit cycle"), (&hs, &sp, C2, "Slow point")] {
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
        if !lc.is_empty() {
            let lam = 1.0 / (lc.iter().sum::<f64>() / lc.len() as f64);
            chart.draw_series(DashedLineSeries::new(
                xs.iter().map(|&x| (x, (lam * (-lam * x).exp()).min(ymax))),
                6,
                4,
                C1.stroke_width(2),
            ))?;
        }
        if sp.len() > 1 {
            let n = sp.len() as f64;
            let m = sp.iter().sum::<f64>() / n;
            let sd = (sp.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt();
            if sd > 0.0 {
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
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperMiddle)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FONT, 14))
            .draw()?;
        Ok(())
    });
    Ok(files)
}

/// Fractions vs delay at selected η with markers (Fig S3D f_fail, S3E f_SP). `k` selects the
/// fraction: 0 not learned, 2 SP.
fn row_fractions_figure(
    table: &PhaseTable,
    lrs_wanted: &[f64],
    k: usize,
    fits: Option<(&fit::TwoStepResult, fit::OnsetModel)>,
    title: &str,
    out: &Path,
    name: &str,
) -> Result<Vec<PathBuf>> {
    let fr = cell_fractions(table);
    let mut lrs: Vec<f64> = table.cells.iter().map(|c| c.lr).collect();
    lrs.dedup();
    let mut chosen: Vec<f64> = Vec::new();
    for &w in lrs_wanted {
        if let Some(l) = lrs
            .iter()
            .copied()
            .min_by(|a, b| (a.ln() - w.ln()).abs().total_cmp(&(b.ln() - w.ln()).abs()))
        {
            if !chosen.contains(&l) {
                chosen.push(l);
            }
        }
    }
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    let dmax = table
        .cells
        .iter()
        .map(|c| c.delay_ms)
        .fold(0.0f64, f64::max)
        .max(1.0);
    let palette = [C0, C1, C2, C3];
    let ylabel = if k == 0 {
        "Fraction not learned"
    } else {
        "Fraction slow point"
    };
    let files = save_both!(out, name, (640, 480), |root| {
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..dmax, 0f64..1.02)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("Delay (ms)")
            .y_desc(ylabel)
            .x_label_formatter(&fmt_int)
            .y_label_formatter(&|v| fmt_g(*v))
            .label_style((FONT, 14))
            .draw()?;
        for (j, &lr) in chosen.iter().enumerate() {
            let col = palette[j % palette.len()];
            let pts: Vec<(f64, f64)> = table
                .cells
                .iter()
                .zip(&fr)
                .filter(|(c, _)| c.lr == lr)
                .map(|(c, f)| (c.delay_ms, [f.0, f.1, f.2][k]))
                .collect();
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 4, col.filled())))?
                .label(format!("η = {lr:.4}"))
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, col.filled()));
            let row = fits.and_then(|(r, m)| {
                r.rows
                    .iter()
                    .find(|row| row.key == lr)
                    .and_then(|row| row.params)
                    .map(|p| (p, m))
            });
            match row {
                Some((p, m)) => {
                    let curve = (0..=200).map(|i| {
                        let t = dmax * i as f64 / 200.0;
                        (t, m.eval(t, &p).clamp(0.0, 1.02))
                    });
                    chart.draw_series(LineSeries::new(curve, col.stroke_width(2)))?;
                }
                None => {
                    chart.draw_series(LineSeries::new(pts, col.mix(0.4)))?;
                }
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FONT, 14))
            .draw()?;
        Ok(())
    });
    Ok(files)
}

/// Seed of the Monte-Carlo band of the scaling plots (docs/fits.md: seeded, the reference is not).
pub const BAND_SEED: u64 = 0;

fn fit_experiment(e: Experiment) -> Option<fit::Experiment> {
    Some(match e {
        Experiment::NoPost => fit::Experiment::NoPost,
        Experiment::Post => fit::Experiment::Post,
        Experiment::LongTau => fit::Experiment::LongTau,
        Experiment::NoMemory => fit::Experiment::NoMemory,
        _ => return None,
    })
}

/// The paper's two-step fit of one boundary, or `None` (with a message) if it fails, e.g.
/// with too few rows that reach the onset.
fn two_step_or_note(
    table: &PhaseTable,
    e: Experiment,
    boundary: fit::Boundary,
) -> Option<fit::TwoStepResult> {
    let setup = fit::ScalingSetup::paper(fit_experiment(e)?, boundary);
    match fit::two_step(table, &setup) {
        Ok(r) => Some(r),
        Err(err) => {
            eprintln!(
                "figures: no {boundary:?} scaling fit for '{}': {err}",
                e.name()
            );
            None
        }
    }
}

/// The binomial maximum-likelihood fit of one boundary (with its profile-likelihood
/// interval), or `None` (with a message) if it fails.
fn mle_or_note(
    table: &PhaseTable,
    e: Experiment,
    boundary: fit::Boundary,
) -> Option<fit::MleResult> {
    let setup = fit::ScalingSetup::paper(fit_experiment(e)?, boundary);
    match fit::fit_mle(table, &setup, &fit::MleOptions::default()) {
        Ok(r) if r.beta.is_finite() => Some(r),
        Ok(_) => None,
        Err(err) => {
            eprintln!(
                "figures: no {boundary:?} likelihood fit for '{}': {err}",
                e.name()
            );
            None
        }
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

/// Log–log scaling plot: fitted critical points (black dots), the power law and its seeded
/// 95 % band, with the exponent (Fig 4C, 4F, S3F, S6C). If `mle` is given, the
/// maximum-likelihood power law (dashed, C1) and its per-row critical values (open circles)
/// are overlaid with its exponent and 95 % profile-likelihood interval.
#[allow(clippy::too_many_arguments)]
fn scaling_figure(
    res: &fit::TwoStepResult,
    mle: Option<&fit::MleResult>,
    mle_transposed: bool,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    x_range: (f64, f64),
    y_range: (f64, f64),
    out: &Path,
    name: &str,
) -> Result<Vec<PathBuf>> {
    let (xmin, xmax) = res
        .x
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
    let band = fit::power_law_band(&res.fit, xmin, xmax, BAND_SEED)?;
    let (x0, x1) = (x_range.0.min(xmin * 0.9), x_range.1.max(xmax * 1.1));
    let ymin = res.y.iter().cloned().fold(f64::INFINITY, f64::min);
    let ymax = res.y.iter().cloned().fold(0.0, f64::max);
    let (y0, y1) = (y_range.0.min(ymin * 0.8), y_range.1.max(ymax * 1.25));
    let label = format!(
        "two-step: β = {:.2} ± {:.2}, R² = {:.2}, n = {}",
        res.fit.beta, res.fit.se, res.fit.r2, res.fit.n
    );
    let files = save_both!(out, name, (640, 480), |root| {
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
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
            .label(label.clone())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], C0.stroke_width(3)));
        if let Some(m) = mle {
            // Points (x, y) of the likelihood fit in the plot's axes: onset fits have
            // x = T_c (critical), y = lr (key); the transposed fit x = window (key), y = η_c.
            let pts: Vec<(f64, f64)> = m
                .rows
                .iter()
                .map(|r| {
                    if mle_transposed {
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
                        let y = if mle_transposed {
                            (m.c0 + m.c1 * x.ln()).exp()
                        } else {
                            ((x.ln() - m.c0) / m.c1).exp()
                        };
                        (x, y)
                    })
                    .filter(|&(x, y)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y))
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
                        .filter(|&&(x, y)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y))
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
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FONT, 14))
            .draw()?;
        Ok(())
    });
    Ok(files)
}

/// Render every sweep figure available from `records` into `out_dir`; returns the files.
///
/// Per experiment present: no post → Fig 4A, 4B, 4C, 4H, S3A–F; post → 4D, 4E, 4F, 4I;
/// long τ → S5A, S5B, S5C (+ `figS5C_fits`, example onset fits at rows 0, 4, 9); no-memory →
/// S6A, S6B, S6C. The scaling plots and fitted onset curves use the paper's two-step fits
/// ([`crate::fit::two_step`] with [`crate::fit::ScalingSetup::paper`]); a fit that fails
/// (e.g. too few rows reach the onset) skips its panel with a message.
pub fn render_records(records: &[RunRecord], out_dir: &Path) -> Result<Vec<PathBuf>> {
    ensure_font();
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let mut files = Vec::new();
    let has = |e: Experiment| records.iter().any(|r| r.experiment == e);
    let out = out_dir;
    if has(Experiment::NoPost) {
        let e = Experiment::NoPost;
        let t = phase_table(records, e);
        files.extend(curves_figure(
            records,
            e,
            0.1,
            Metric::Loss,
            &[0, 1, 2],
            false,
            None,
            "Fig 4A: loss, T_post = 0 ms",
            out,
            "fig4A",
        )?);
        files.extend(fractions_figure(
            &t,
            e,
            "Fig 4B: strategies, T_post = 0 ms",
            out,
            "fig4B",
        )?);
        files.extend(phase_figure(&t, e, "Fig 4H: T_post = 0 ms", out, "fig4H")?);
        files.extend(curves_figure(
            records,
            e,
            0.1,
            Metric::Loss,
            &[0, 3, 1, 2],
            false,
            None,
            "Fig S3A: loss per class",
            out,
            "figS3A",
        )?);
        files.extend(curves_figure(
            records,
            e,
            0.1,
            Metric::Accuracy,
            &[0, 3, 1, 2],
            false,
            Some((0.49, 1.0)),
            "Fig S3B: accuracy per class",
            out,
            "figS3B",
        )?);
        files.extend(index_histogram_figure(records, e, out, "figS3C")?);
        let rows = [0.316228, 0.019307, 0.001];
        let fail = two_step_or_note(&t, e, fit::Boundary::Failure);
        let sp = two_step_or_note(&t, e, fit::Boundary::SlowPoint);
        files.extend(row_fractions_figure(
            &t,
            &rows,
            0,
            fail.as_ref().map(|r| (r, fit::OnsetModel::ExpSaturation)),
            "Fig S3D: no-solution onset",
            out,
            "figS3D",
        )?);
        files.extend(row_fractions_figure(
            &t,
            &rows,
            2,
            sp.as_ref().map(|r| (r, fit::OnsetModel::Logistic)),
            "Fig S3E: slow-point fraction",
            out,
            "figS3E",
        )?);
        if let Some(r) = &fail {
            let m = mle_or_note(&t, e, fit::Boundary::Failure);
            files.extend(scaling_figure(
                r,
                m.as_ref(),
                false,
                "Fig 4C: Scaling of the no-solution boundary",
                "Critical delay (ms)",
                "Learning rate",
                (30.0, 300.0),
                (8e-4, 0.5),
                out,
                "fig4C",
            )?);
        }
        if let Some(r) = &sp {
            let m = mle_or_note(&t, e, fit::Boundary::SlowPoint);
            files.extend(scaling_figure(
                r,
                m.as_ref(),
                false,
                "Fig S3F: Scaling of the SP manifolds",
                "Critical delay T_sp (ms)",
                "Learning rate",
                (30.0, 300.0),
                (8e-4, 0.5),
                out,
                "figS3F",
            )?);
        }
    }
    if has(Experiment::Post) {
        let e = Experiment::Post;
        let t = phase_table(records, e);
        files.extend(curves_figure(
            records,
            e,
            0.1,
            Metric::Loss,
            &[0, 1, 2],
            false,
            None,
            "Fig 4D: loss, T_post = 30 ms",
            out,
            "fig4D",
        )?);
        files.extend(fractions_figure(
            &t,
            e,
            "Fig 4E: strategies, T_post = 30 ms",
            out,
            "fig4E",
        )?);
        files.extend(phase_figure(&t, e, "Fig 4I: T_post = 30 ms", out, "fig4I")?);
        if let Some(r) = two_step_or_note(&t, e, fit::Boundary::Failure) {
            let m = mle_or_note(&t, e, fit::Boundary::Failure);
            files.extend(scaling_figure(
                &r,
                m.as_ref(),
                false,
                "Fig 4F: no-solution boundary, T_post = 30 ms",
                "Critical delay (ms)",
                "Learning rate",
                (30.0, 300.0),
                (8e-4, 0.5),
                out,
                "fig4F",
            )?);
        }
    }
    if has(Experiment::LongTau) {
        let e = Experiment::LongTau;
        let t = phase_table(records, e);
        files.extend(curves_figure(
            records,
            e,
            0.1,
            Metric::Loss,
            &[0, 3, 1, 2],
            false,
            None,
            "Fig S5A: loss per class, τ = 20 ms",
            out,
            "figS5A",
        )?);
        files.extend(fractions_figure(
            &t,
            e,
            "Fig S5B: strategies, τ = 20 ms",
            out,
            "figS5B",
        )?);
        files.extend(phase_figure(&t, e, "Fig S5C: τ = 20 ms", out, "figS5C")?);
        // Extra panel of S5C: example onset fits at rows 0, 4 and 9 of the long-τ grid.
        let lt = crate::sweep::logspace(-1.0, -3.0, 10);
        let fail = two_step_or_note(&t, e, fit::Boundary::Failure);
        files.extend(row_fractions_figure(
            &t,
            &[lt[0], lt[4], lt[9]],
            0,
            fail.as_ref().map(|r| (r, fit::OnsetModel::ExpSaturation)),
            "Fig S5C (extra): no-solution onset, τ = 20 ms",
            out,
            "figS5C_fits",
        )?);
    }
    if has(Experiment::NoMemory) {
        let e = Experiment::NoMemory;
        let t = phase_table(records, e);
        files.extend(curves_figure(
            records,
            e,
            0.112884,
            Metric::Loss,
            &[0, 1],
            true,
            None,
            "Fig S6A: loss, no-memory control",
            out,
            "figS6A",
        )?);
        files.extend(phase_figure(
            &t,
            e,
            "Fig S6B: no-memory control",
            out,
            "figS6B",
        )?);
        if let Some(r) = two_step_or_note(&t, e, fit::Boundary::Failure) {
            let m = mle_or_note(&t, e, fit::Boundary::Failure);
            files.extend(scaling_figure(
                &r,
                m.as_ref(),
                true,
                "Fig S6C: critical learning rate, no-memory control",
                "Response window (ms)",
                "Critical learning rate",
                (20.0, 400.0),
                (1e-3, 1.0),
                out,
                "figS6C",
            )?);
        }
    }
    Ok(files)
}

/// Learning rate whose curves a figure of `experiment` shows (paper_figures/README.md: η = 0.1 for the DCDT
/// panels, 0.112884 for Fig S6A).
fn curve_lr(experiment: Experiment) -> f64 {
    if experiment == Experiment::NoMemory {
        0.112884
    } else {
        0.1
    }
}

/// Read the `experiment` records of the first directory among `candidates` (relative to
/// `root`) that has any. To bound memory on full sweeps, the per-epoch curves are kept only
/// at the learning rate the curve panels show (two streaming passes).
fn load_first(
    root: &Path,
    candidates: &[&str],
    experiment: Experiment,
) -> Result<Option<(PathBuf, Vec<RunRecord>)>> {
    for c in candidates {
        let dir = root.join(c);
        let path = dir.join(RUNS_FILE);
        if !path.exists() {
            continue;
        }
        let target = curve_lr(experiment);
        let mut best: Option<f64> = None;
        scan_store(&path, &mut |r| {
            if r.experiment == experiment {
                let d = |x: f64| (x.ln() - target.ln()).abs();
                if best.is_none_or(|b| d(r.lr) < d(b)) {
                    best = Some(r.lr);
                }
            }
        })?;
        let Some(keep) = best else { continue };
        let mut records = Vec::new();
        scan_store(&path, &mut |mut r| {
            if r.experiment == experiment {
                if r.lr != keep {
                    r.loss_curve = Vec::new();
                    r.accuracy_curve = Vec::new();
                    r.reliability_curve = Vec::new();
                }
                records.push(r);
            }
        })?;
        return Ok(Some((dir, records)));
    }
    Ok(None)
}

/// Render every sweep figure whose data exist under the sweep root (`$DYNPHASE_SWEEPS`,
/// default `sweeps/`; see the module docs) into `out_dir`; returns the files written.
/// Experiments without data are skipped with a message on standard error.
pub fn render_all(out_dir: &Path) -> Result<Vec<PathBuf>> {
    let root = std::env::var_os(ROOT_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_ROOT));
    render_all_from(&root, out_dir)
}

/// Render every sweep figure from the sweep directories `dirs` (each holding a `runs.jsonl`,
/// as written by `dynphase sweep` or `dynphase merge`): each experiment found in a directory's
/// records gets its figures. Returns the files written; a directory without `runs.jsonl` is
/// an error.
pub fn render_dirs(dirs: &[PathBuf], out_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for dir in dirs {
        let runs = dir.join(RUNS_FILE);
        if !runs.is_file() {
            return Err(Error::format(
                &runs,
                "no sweep results here (expected the runs.jsonl written by `dynphase sweep`)",
            ));
        }
        let mut found = false;
        for e in [
            Experiment::NoPost,
            Experiment::Post,
            Experiment::LongTau,
            Experiment::NoMemory,
        ] {
            if let Some((d, recs)) = load_first(dir, &["."], e)? {
                if recs.is_empty() {
                    continue;
                }
                found = true;
                eprintln!(
                    "figures: {} '{}' networks from {}",
                    recs.len(),
                    e.name(),
                    d.display()
                );
                files.extend(render_records(&recs, out_dir)?);
            }
        }
        if !found {
            eprintln!(
                "figures: no full-rank sweep records in {}; nothing drawn",
                dir.display()
            );
        }
    }
    Ok(files)
}

/// [`render_all`] with an explicit sweep root instead of `$DYNPHASE_SWEEPS`.
pub fn render_all_from(root: &Path, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let root = root.to_path_buf();
    let sets: [(Experiment, &[&str]); 4] = [
        (
            Experiment::NoPost,
            &["nopost/merged", "nopost", "quick/merged", "quick"],
        ),
        (
            Experiment::Post,
            &["post/merged", "post", "quick-post/merged", "quick-post"],
        ),
        (
            Experiment::LongTau,
            &[
                "long-tau/merged",
                "long-tau",
                "quick-long-tau/merged",
                "quick-long-tau",
            ],
        ),
        (
            Experiment::NoMemory,
            &[
                "no-memory/merged",
                "no-memory",
                "quick-no-memory/merged",
                "quick-no-memory",
            ],
        ),
    ];
    let mut files = Vec::new();
    for (e, cands) in sets {
        match load_first(&root, cands, e)? {
            Some((dir, recs)) => {
                eprintln!(
                    "figures: {} '{}' networks from {}",
                    recs.len(),
                    e.name(),
                    dir.display()
                );
                files.extend(render_records(&recs, out_dir)?);
            }
            None => eprintln!(
                "figures: no '{}' sweep data under {} (tried {}); skipped",
                e.name(),
                root.display(),
                cands.join(", ")
            ),
        }
    }
    Ok(files)
}
