//! Figures of the mechanism analysis (docs/mechanism-index.md, docs/fits.md, paper_figures/README.md):
//!
//! * `analysis_index_histogram` — Fig S3C style: density histograms (50 bins on [0, 1]) of the
//!   spectral index of learned networks, LC (C1) and SP (C2), with a dashed exponential pdf
//!   (λ = 1/mean) over LC and a dashed MLE Gaussian (mean, population s.d.) over SP;
//! * `analysis_rank2_portraits` — latent phase portraits κ̇ = −κ + n tanh(mκ + b) of trained
//!   rank-2 networks (with and without post period) with their fixed/slow points marked by type;
//! * `analysis_pc_plane` — a trained full-rank network's extended trial and out-of-trial
//!   rollout in its top-2 PC plane with its fixed and slow points, coloured by log10 speed;
//! * `fig3C_rank2_post_study` — Fig 3C: LC fraction among learned rank-2 networks per delay,
//!   grouped bars with and without the 30 ms post period, n learned per bar, Fisher stars
//!   (two-sided exact test, Bonferroni × 8, docs/outcomes.md).
//!
//! [`render_all`] trains the networks it shows (a small full-rank sweep; the rank-2 post study
//! at T = 30 and 40 ms, seeds 0–19); the paper's Fig 3C spans 30–100 ms with 100 seeds
//! (`dynphase sweep --preset rank2-post-study`);
//! [`render_from`] draws from given study results.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    density, draw_legend, exponential_fit, font, gaussian_fit, jet, sample_field, save_figure,
    DrawResult, Figure, C0, C1, C2, C3, C7,
};
use crate::analysis::classify::ClassifyConfig;
use crate::analysis::fixed_points::{CriticalPoint, FixedPointConfig, PointKind, PointType};
use crate::analysis::index::Mechanism;
use crate::analysis::rank2::Fig3cRow;
use crate::analysis::studies::{
    full_rank_agreement_study, post_study_task, rank2_latent_points, rank2_post_study,
    FullRankStudyNet, Rank2StudyNet,
};
use crate::rnn::model::rank2_rollout;
use crate::rnn::Rank2Params;
use crate::Result;

/// Fig S3C-style index histogram.
pub struct IndexHistogram {
    /// Indices of learned LC networks.
    pub lc: Vec<f64>,
    /// Indices of learned SP networks.
    pub sp: Vec<f64>,
}

impl Figure for IndexHistogram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        // 50 bin edges on [0, 1] → 49 bins (docs/fits.md).
        let bins = 49;
        let hl = density(&self.lc, bins);
        let hs = density(&self.sp, bins);
        let ymax = hl.iter().chain(&hs).fold(1.0f64, |m, &v| m.max(v)) * 1.1;
        let mut c = ChartBuilder::on(root)
            .caption(
                format!(
                    "Mechanism index (LC n = {}, SP n = {})",
                    self.lc.len(),
                    self.sp.len()
                ),
                font(20),
            )
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, 0.0..ymax)?;
        c.configure_mesh()
            .x_desc("Index")
            .y_desc("Frequency (normalized)")
            .label_style(font(14))
            .axis_desc_style(font(16))
            .disable_mesh()
            .draw()?;
        let w = 1.0 / bins as f64;
        for (h, col, name) in [(&hl, C1, "LC"), (&hs, C2, "SP")] {
            c.draw_series(
                h.iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(k, &v)| {
                        Rectangle::new(
                            [(k as f64 * w, 0.0), ((k + 1) as f64 * w, v)],
                            col.mix(0.6).filled(),
                        )
                    }),
            )?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], col.filled()));
        }
        let xs: Vec<f64> = (0..=400).map(|i| i as f64 / 400.0).collect();
        if let Some(lam) = exponential_fit(&self.lc) {
            c.draw_series(DashedLineSeries::new(
                xs.iter().map(|&x| (x, (lam * (-lam * x).exp()).min(ymax))),
                6,
                4,
                C1.stroke_width(2),
            ))?
            .label(format!("exp, λ = {lam:.1}"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], C1.stroke_width(2)));
        }
        if let Some((mu, sd)) = gaussian_fit(&self.sp) {
            let pdf = |x: f64| {
                (-(x - mu).powi(2) / (2.0 * sd * sd)).exp()
                    / (sd * (2.0 * std::f64::consts::PI).sqrt())
            };
            c.draw_series(DashedLineSeries::new(
                xs.iter().map(|&x| (x, pdf(x).min(ymax))),
                6,
                4,
                C2.stroke_width(2),
            ))?
            .label(format!("N({mu:.2}, {sd:.2}²)"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], C2.stroke_width(2)));
        }
        draw_legend(&mut c, SeriesLabelPosition::UpperRight, 14, 0.8)?;
        Ok(())
    }
}

fn marker_style(t: PointType) -> (RGBColor, bool) {
    match t {
        PointType::StableNode | PointType::StableFocus => (C2, true),
        PointType::Saddle { .. } => (C0, true),
        PointType::UnstableNode | PointType::UnstableFocus => (C3, false),
    }
}

fn draw_points<DB: DrawingBackend>(
    c: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    pts: &[(f64, f64, &CriticalPoint)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    for &(x, y, p) in pts {
        let (col, filled) = marker_style(p.point_type);
        match p.kind {
            PointKind::Fixed => {
                let st = if filled {
                    col.filled()
                } else {
                    col.stroke_width(3)
                };
                c.draw_series(std::iter::once(Circle::new((x, y), 7, st)))?;
                c.draw_series(std::iter::once(Circle::new(
                    (x, y),
                    7,
                    BLACK.stroke_width(1),
                )))?;
            }
            PointKind::Slow => {
                c.draw_series(std::iter::once(TriangleMarker::new(
                    (x, y),
                    7,
                    col.filled(),
                )))?;
            }
        }
        c.draw_series(std::iter::once(Text::new(
            p.point_type.name(),
            (x, y),
            font(12).color(&BLACK),
        )))?;
    }
    Ok(())
}

/// One latent phase portrait with fixed/slow points.
pub struct Rank2Portrait {
    /// Title.
    pub title: String,
    /// Network.
    pub params: Rank2Params<f32>,
    /// Trial length (steps).
    pub total: usize,
    /// Its latent fixed/slow points.
    pub points: Vec<CriticalPoint>,
}

fn draw_portrait<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, f: &Rank2Portrait) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let p64: Rank2Params<f64> = f.params.cast();
    let ro = rank2_rollout(&p64, 0.5, 3 * f.total);
    let k: Vec<(f64, f64)> = ro.kappa.iter().map(|k| (k[0], k[1])).collect();
    let mut xs: Vec<f64> = k.iter().map(|p| p.0).collect();
    let mut ys: Vec<f64> = k.iter().map(|p| p.1).collect();
    for p in &f.points {
        xs.push(p.x[0]);
        ys.push(p.x[1]);
    }
    let lo = |v: &[f64]| v.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = |v: &[f64]| v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let m = 0.15 * ((hi(&xs) - lo(&xs)).max(hi(&ys) - lo(&ys))).max(0.5);
    let (x0, x1, y0, y1) = (lo(&xs) - m, hi(&xs) + m, lo(&ys) - m, hi(&ys) + m);
    let mut c = ChartBuilder::on(area)
        .caption(&f.title, font(18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    c.configure_mesh()
        .x_desc("κ₁")
        .y_desc("κ₂")
        .label_style(font(13))
        .axis_desc_style(font(16))
        .disable_mesh()
        .draw()?;
    let field = crate::analysis::field::LowRankLatentField::from_rank2(&f.params)
        .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)?;
    use crate::analysis::field::VectorField;
    let (vecs, vmax) = sample_field((x0, x1), (y0, y1), 15, |a, b| {
        let mut fv = [0.0; 2];
        field.eval(&[a, b], &mut fv);
        (fv[0], fv[1])
    });
    for ((a, b), fv) in vecs {
        let s = 0.8 / vmax.max(1e-300);
        c.draw_series(std::iter::once(PathElement::new(
            vec![(a, b), (a + fv.0 * s, b + fv.1 * s)],
            C7.stroke_width(1),
        )))?;
        c.draw_series(std::iter::once(Circle::new(
            (a + fv.0 * s, b + fv.1 * s),
            2,
            C7.filled(),
        )))?;
    }
    let split = f.total.min(k.len());
    c.draw_series(LineSeries::new(
        k[..=split.min(k.len() - 1)].to_vec(),
        C0.stroke_width(2),
    ))?;
    c.draw_series(LineSeries::new(
        k[split.min(k.len() - 1)..].to_vec(),
        C1.stroke_width(2),
    ))?;
    c.draw_series(std::iter::once(Cross::new(k[0], 6, BLACK.stroke_width(2))))?;
    let pts: Vec<(f64, f64, &CriticalPoint)> =
        f.points.iter().map(|p| (p.x[0], p.x[1], p)).collect();
    draw_points(&mut c, &pts)?;
    Ok(())
}

/// Side-by-side latent portraits.
pub struct Rank2Portraits(pub Vec<Rank2Portrait>);

impl Figure for Rank2Portraits {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (top, legend) = root.split_vertically(root.dim_in_pixel().1 - 40);
        let panels = top.split_evenly((1, self.0.len().max(1)));
        for (a, f) in panels.iter().zip(&self.0) {
            draw_portrait(a, f)?;
        }
        legend.draw(&Text::new(
            "blue: trial, orange: after trial, ×: start; ● green stable, ● blue saddle, ○ red unstable; ▲ slow point",
            (20, 10),
            font(14),
        ))?;
        Ok(())
    }
}

/// A full-rank network's trajectory in its top-2 PC plane with fixed/slow points.
pub struct PcPlane {
    /// Title.
    pub title: String,
    /// Trajectory in PC coordinates: (in-trial, after-trial, rollout).
    pub segments: [Vec<(f64, f64)>; 3],
    /// Projected points with their data.
    pub points: Vec<((f64, f64), CriticalPoint)>,
}

impl PcPlane {
    /// Build from a study network: PCs of its extended trial (centred), projections of the
    /// trial, the rollout and the critical points.
    pub fn from_net(net: &FullRankStudyNet) -> Self {
        let v = &net.verdict;
        let n = net.params.n_hidden();
        let rates = &v.rates;
        let t = rates.len() / n;
        let mut mean = vec![0.0; n];
        for i in 0..t {
            for j in 0..n {
                mean[j] += rates[i * n + j] / t as f64;
            }
        }
        let ax = &v.spectral.axes;
        let proj = |x: &[f64]| -> (f64, f64) {
            let d = |a: &[f64]| {
                x.iter()
                    .zip(&mean)
                    .zip(a)
                    .map(|((x, m), a)| (x - m) * a)
                    .sum::<f64>()
            };
            (d(&ax[0]), d(&ax[1]))
        };
        let rows = |m: &[f64]| -> Vec<(f64, f64)> { m.chunks_exact(n).map(proj).collect() };
        let all = rows(rates);
        let l = v.trial_len.min(all.len());
        let ro = rows(&v.rollout);
        let ro: Vec<(f64, f64)> = ro.into_iter().take(600).collect();
        PcPlane {
            title: format!(
                "delay {} ms, seed {}: index {:.3} ({}), dynamics {:?}",
                net.delay_ms, net.seed, v.spectral.index, v.spectral.label, v.dynamical.asymptote
            ),
            segments: [all[..l].to_vec(), all[l.saturating_sub(1)..].to_vec(), ro],
            points: v.points.iter().map(|p| (proj(&p.x), p.clone())).collect(),
        }
    }
}

impl Figure for PcPlane {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let all: Vec<(f64, f64)> = self
            .segments
            .iter()
            .flatten()
            .copied()
            .chain(self.points.iter().map(|p| p.0))
            .collect();
        let lo = |f: fn(&(f64, f64)) -> f64| all.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = |f: fn(&(f64, f64)) -> f64| all.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        let (x0, x1, y0, y1) = (lo(|p| p.0), hi(|p| p.0), lo(|p| p.1), hi(|p| p.1));
        let m = 0.08 * (x1 - x0).max(y1 - y0).max(1e-3);
        let mut c = ChartBuilder::on(root)
            .caption(&self.title, font(17))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .right_y_label_area_size(10)
            .build_cartesian_2d((x0 - m)..(x1 + m), (y0 - m)..(y1 + m))?;
        c.configure_mesh()
            .x_desc("PC 1")
            .y_desc("PC 2")
            .label_style(font(13))
            .axis_desc_style(font(16))
            .disable_mesh()
            .draw()?;
        for (segment, style, label, key) in [
            (&self.segments[0], C0.stroke_width(2), "trial", C0),
            (
                &self.segments[1],
                C1.stroke_width(1),
                "extended trial (noisy)",
                C1,
            ),
            (
                &self.segments[2],
                C7.mix(0.7).stroke_width(1),
                "noise-free rollout",
                C7,
            ),
        ] {
            c.draw_series(LineSeries::new(segment.clone(), style))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 14, y)], key.stroke_width(2))
                });
        }
        // Points coloured by log10 speed (jet over [−16, 0]); fixed points circled in black.
        for ((x, y), p) in &self.points {
            let s = ((p.speed.max(1e-16)).log10() + 16.0) / 16.0;
            c.draw_series(std::iter::once(Circle::new((*x, *y), 6, jet(s).filled())))?;
            if p.kind == PointKind::Fixed {
                c.draw_series(std::iter::once(Circle::new(
                    (*x, *y),
                    8,
                    BLACK.stroke_width(2),
                )))?;
            }
            c.draw_series(std::iter::once(Text::new(
                format!("{} |F|={:.0e}", p.point_type.name(), p.speed),
                (*x, *y),
                font(11),
            )))?;
        }
        draw_legend(&mut c, SeriesLabelPosition::MiddleRight, 13, 0.8)?;
        Ok(())
    }
}

/// Draw the three figure families from study results; returns the files written.
pub fn render_from(
    out_dir: &Path,
    full: &[FullRankStudyNet],
    rank2: &[Rank2StudyNet],
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let learned: Vec<&FullRankStudyNet> = full.iter().filter(|n| n.learned).collect();
    let hist = IndexHistogram {
        lc: learned
            .iter()
            .filter(|n| n.spectral() == Mechanism::LimitCycle)
            .map(|n| n.verdict.spectral.index)
            .collect(),
        sp: learned
            .iter()
            .filter(|n| n.spectral() == Mechanism::SlowPoint)
            .map(|n| n.verdict.spectral.index)
            .collect(),
    };
    files.extend(save_figure(
        &hist,
        out_dir,
        "analysis_index_histogram",
        (800, 560),
    )?);
    let fp = FixedPointConfig::default();
    let mut portraits = Vec::new();
    // Portraits: the first two learned networks of the shortest delay, with and without post.
    let d_min = rank2.iter().map(|n| n.delay_steps).min().unwrap_or(0);
    let shown: Vec<&Rank2StudyNet> = [true, false]
        .into_iter()
        .flat_map(|post| {
            rank2
                .iter()
                .filter(move |n| n.label.learned && n.delay_steps == d_min && n.post == post)
                .take(2)
        })
        .collect();
    let rows = fig3c_rows(rank2);
    if !rows.is_empty() {
        files.extend(save_figure(
            &Fig3C(rows),
            out_dir,
            "fig3C_rank2_post_study",
            (760, 520),
        )?);
    }
    for net in shown {
        let total = post_study_task(net.delay_steps, net.post)?.total();
        let points = rank2_latent_points(&net.params, total, &fp)?;
        portraits.push(Rank2Portrait {
            title: format!(
                "T = {} ms, {}, seed {}: {}",
                5 * net.delay_steps,
                if net.post { "post 30 ms" } else { "no post" },
                net.seed,
                if net.label.rotation.is_lc {
                    "LC"
                } else {
                    "no rotation"
                }
            ),
            params: net.params.clone(),
            total,
            points,
        });
    }
    if !portraits.is_empty() {
        let w = 560 * portraits.len() as u32;
        files.extend(save_figure(
            &Rank2Portraits(portraits),
            out_dir,
            "analysis_rank2_portraits",
            (w, 600),
        )?);
    }
    // Prefer a learned SP network and a learned LC network for the PC-plane figure.
    for (mech, stem) in [
        (Mechanism::SlowPoint, "analysis_pc_plane_sp"),
        (Mechanism::LimitCycle, "analysis_pc_plane_lc"),
    ] {
        if let Some(net) = learned
            .iter()
            .find(|n| n.spectral() == mech && !n.verdict.points.is_empty())
        {
            files.extend(save_figure(
                &PcPlane::from_net(net),
                out_dir,
                stem,
                (820, 680),
            )?);
        }
    }
    Ok(files)
}

/// Render every figure of this family into `out_dir`: trains a small full-rank sweep (delays
/// 40–300 ms, lr 0.1, 1000 epochs, seeds 0–1) and the rank-2 post-study networks of seeds 0–1 at
/// T = 6 with and without post (500,000 epochs), then calls [`render_from`].
pub fn render_all(out_dir: &Path) -> Result<Vec<PathBuf>> {
    let jobs: Vec<(u32, f64, u64)> = [40u32, 100, 160, 220, 300]
        .iter()
        .flat_map(|&d| (0..2u64).map(move |s| (d, 0.1, s)))
        .collect();
    let cfg = ClassifyConfig {
        fixed_points: Some(FixedPointConfig::default()),
        ..Default::default()
    };
    let full = full_rank_agreement_study(&jobs, 1000, &cfg)?;
    let seeds: Vec<u64> = (0..20).collect();
    let rank2 = rank2_post_study(&[6, 8], &seeds, 0.005, &|_| 500_000)?;
    render_from(out_dir, &full, &rank2)
}

/// The Fig 3C rows (one per delay present with both conditions) of a rank-2 post study,
/// Bonferroni factor 8 as in the paper.
pub fn fig3c_rows(rank2: &[Rank2StudyNet]) -> Vec<Fig3cRow> {
    let mut delays: Vec<usize> = rank2.iter().map(|n| n.delay_steps).collect();
    delays.sort_unstable();
    delays.dedup();
    delays
        .into_iter()
        .filter_map(|d| {
            let labels = |post: bool| -> Vec<_> {
                rank2
                    .iter()
                    .filter(|n| n.delay_steps == d && n.post == post)
                    .map(|n| n.label)
                    .collect()
            };
            let (p, np) = (labels(true), labels(false));
            (!p.is_empty() && !np.is_empty()).then(|| Fig3cRow::new(d, &p, &np, 8))
        })
        .collect()
}

/// Fig 3C: grouped bars of the LC fraction per delay.
struct Fig3C(Vec<Fig3cRow>);

impl Figure for Fig3C {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let k = self.0.len() as f64;
        let mut c = ChartBuilder::on(root)
            .caption(
                "Fig 3C: limit cycles among learned rank-2 networks",
                ("sans-serif", 20),
            )
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(-0.5..k - 0.5, 0.0..1.25)?;
        let rows = &self.0;
        c.configure_mesh()
            .disable_mesh()
            .x_labels(rows.len().max(1))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < rows.len() {
                    format!("{} ms", 5 * rows[i as usize].delay_steps)
                } else {
                    String::new()
                }
            })
            .y_labels(6)
            .x_desc("Delay")
            .y_desc("LC fraction (learned networks)")
            .label_style(("sans-serif", 14))
            .draw()?;
        let w = 0.35;
        for (i, r) in rows.iter().enumerate() {
            let (fp, fn_) = r.fractions();
            for (j, (f, n, colour)) in [(fp, r.post.0, C1), (fn_, r.no_post.0, C0)]
                .into_iter()
                .enumerate()
            {
                let x0 = i as f64 - w + j as f64 * w;
                let h = if f.is_finite() { f } else { 0.0 };
                c.draw_series(std::iter::once(Rectangle::new(
                    [(x0 + 0.02, 0.0), (x0 + w - 0.02, h)],
                    colour.filled(),
                )))?;
                c.draw_series(std::iter::once(Text::new(
                    format!("n={n}"),
                    (x0 + 0.05, h + 0.03),
                    ("sans-serif", 13),
                )))?;
            }
            if !r.stars.is_empty() && r.stars != "ns" {
                c.draw_series(std::iter::once(Text::new(
                    r.stars.to_string(),
                    (i as f64 - 0.08, 1.15),
                    ("sans-serif", 20),
                )))?;
            }
        }
        for (label, colour) in [("T_post = 30 ms", C1), ("T_post = 0", C0)] {
            c.draw_series(std::iter::once(Rectangle::new(
                [(-0.5, -1.0), (-0.5, -1.0)],
                colour.filled(),
            )))?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled()));
        }
        draw_legend(&mut c, SeriesLabelPosition::UpperRight, 13, 0.9)?;
        Ok(())
    }
}
