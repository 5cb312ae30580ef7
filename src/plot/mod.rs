//! Figures with plotters: shared helpers and one submodule per figure family.
//!
//! Every figure is written twice, as PNG and SVG, into the output directory (by default
//! `paper_figures/`). A figure is a type implementing [`Figure`]; its `draw` method is generic
//! over the plotters backend, so one drawing routine produces both files through
//! [`save_figure`]. Text uses the DejaVu Sans font embedded in the binary (registered once by
//! [`register_fonts`]; no system fonts are needed).
//!
//! Shared helpers: the matplotlib colours [`C0`]–[`C3`] (paper_figures/README.md), the 'jet' colormap
//! [`jet`], log-axis tick labels [`log_tick_label`] and [`decades`], linear and log grids
//! ([`linspace`], [`geomspace`]), RGB images in chart coordinates
//! ([`draw_rgb_image`]), arrows ([`draw_arrow`]) and quiver plots of a
//! vector field with unit-length arrows ([`draw_quiver`]).
//!
//! ```no_run
//! use dynphase::plot::{save_figure, DrawResult, Figure, C0};
//! use plotters::prelude::*;
//! struct Line;
//! impl Figure for Line {
//!     fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, plotters::coord::Shift>) -> DrawResult
//!     where
//!         DB::ErrorType: 'static,
//!     {
//!         let mut c = ChartBuilder::on(root).margin(20).x_label_area_size(40).y_label_area_size(50)
//!             .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
//!         c.configure_mesh().x_desc("x").y_desc("y").draw()?;
//!         c.draw_series(LineSeries::new((0..=10).map(|i| (i as f64 / 10.0, i as f64 / 10.0)), C0.stroke_width(2)))?;
//!         Ok(())
//!     }
//! }
//! let files = save_figure(&Line, std::path::Path::new("/tmp"), "line", (640, 480)).unwrap();
//! assert_eq!(files.len(), 2);
//! ```

pub mod analysis;
pub mod bifurcation;
pub mod rank2;
pub mod sweep;
pub mod text;
pub mod theory;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use crate::{Error, Result};

/// Result of a drawing routine (plotters errors are boxed).
pub type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// matplotlib default colour C0, #1f77b4 (blue).
pub const C0: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
/// matplotlib default colour C1, #ff7f0e (orange).
pub const C1: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
/// matplotlib default colour C2, #2ca02c (green).
pub const C2: RGBColor = RGBColor(0x2c, 0xa0, 0x2c);
/// matplotlib default colour C3, #d62728 (red).
pub const C3: RGBColor = RGBColor(0xd6, 0x27, 0x28);
/// matplotlib grey C7, #7f7f7f.
pub const C7: RGBColor = RGBColor(0x7f, 0x7f, 0x7f);

/// The family name under which the embedded DejaVu Sans is registered.
pub const FONT: &str = "sans-serif";

static FONTS: Once = Once::new();

/// Register the embedded DejaVu Sans fonts as "sans-serif" (normal, bold, oblique, italic)
/// with plotters. Idempotent and thread-safe; called by [`save_figure`].
pub fn register_fonts() {
    FONTS.call_once(|| {
        // The embedded fonts are valid TrueType files; a failure would only disable text.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Oblique,
            dejavu::sans::oblique(),
        );
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Italic,
            dejavu::sans::oblique(),
        );
    });
}

/// A figure that can be drawn on any plotters backend.
pub trait Figure {
    /// Draw the whole figure on `root`, whose background [`save_figure`] has painted white.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// Draw `fig` on a white background to `out_dir/stem.png` and `out_dir/stem.svg` at `size`
/// pixels; returns both paths. Creates `out_dir` if needed. Errors as [`Error::Io`] (file system) or
/// [`Error::Numerical`] (drawing).
pub fn save_figure<F: Figure + ?Sized>(
    fig: &F,
    out_dir: &Path,
    stem: &str,
    size: (u32, u32),
) -> Result<Vec<PathBuf>> {
    register_fonts();
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let png = out_dir.join(format!("{stem}.png"));
    let svg = out_dir.join(format!("{stem}.svg"));
    let fail = |p: &Path, e: Box<dyn std::error::Error>| {
        Error::numerical(format!("drawing {}", p.display()), e.to_string())
    };
    {
        let root = text::GlyphText(BitMapBackend::new(&png, size)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&png, Box::new(e)))?;
        fig.draw(&root).map_err(|e| fail(&png, e))?;
        root.present()
            .map_err(|e| fail(&png, Box::new(e) as Box<dyn std::error::Error>))?;
    }
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&svg, Box::new(e)))?;
        fig.draw(&root).map_err(|e| fail(&svg, e))?;
        root.present()
            .map_err(|e| fail(&svg, Box::new(e) as Box<dyn std::error::Error>))?;
    }
    Ok(vec![png, svg])
}

/// The 'jet' colormap of matplotlib: v ∈ [0, 1] (clamped; NaN → white) to RGB, dark blue →
/// blue → cyan → yellow → red → dark red.
pub fn jet(v: f64) -> RGBColor {
    if v.is_nan() {
        return WHITE;
    }
    let v = v.clamp(0.0, 1.0);
    let ch = |x: f64| -> u8 {
        let y = (1.5 - (4.0 * v - x).abs()).clamp(0.0, 1.0);
        (y * 255.0).round() as u8
    };
    RGBColor(ch(3.0), ch(2.0), ch(1.0))
}

pub use crate::grid::{geomspace, linspace};

/// Tick label for a log axis: powers of ten as `1e-9`, other values in short `{:.0e}` form.
pub fn log_tick_label(v: &f64) -> String {
    if v.is_nan() || *v <= 0.0 {
        return String::new();
    }
    let e = v.log10();
    if (e - e.round()).abs() < 1e-9 {
        let k = e.round() as i32;
        match k {
            0 => "1".into(),
            1 => "10".into(),
            2 => "100".into(),
            3 => "1000".into(),
            _ => format!("1e{k}"),
        }
    } else {
        format!("{v:.0e}")
    }
}

/// Powers of ten in [lo, hi] (for manual decade grid lines).
pub fn decades(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo) {
        return vec![];
    }
    let (a, b) = (lo.log10().ceil() as i32, hi.log10().floor() as i32);
    (a..=b).map(|k| 10f64.powi(k)).collect()
}

/// A dashed grey vertical line at `x` from `ys.0` to `ys.1`, with dashes of `dash.0` px and
/// gaps of `dash.1` px, `width` px wide, and an optional `(text, position, font size)` label
/// (the event and threshold markers of the figures).
pub fn dashed_vline<DB, X, Y>(
    c: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    x: f64,
    ys: (f64, f64),
    (dash, width): ((u32, u32), u32),
    label: Option<(&str, (f64, f64), u32)>,
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    c.draw_series(DashedLineSeries::new(
        vec![(x, ys.0), (x, ys.1)],
        dash.0,
        dash.1,
        C7.stroke_width(width),
    ))?;
    if let Some((text, at, size)) = label {
        c.draw_series(std::iter::once(Text::new(text.to_string(), at, font(size))))?;
    }
    Ok(())
}

/// Range for a log-scaled axis from `lo` to `hi` (use as `log_span(lo, hi).log_scale()`),
/// widened by a relative 1e-9 on both sides. plotters puts the decade ticks of a log axis at
/// 10^⌈log10 lo⌉, ×10 while ≤ hi, in floating point, so an end point that is itself a power of
/// ten (1e-9, 1e-3, 1) can fall just outside and lose its tick label; the widening keeps it
/// and moves nothing else by a visible amount.
pub fn log_span(lo: f64, hi: f64) -> std::ops::Range<f64> {
    lo * (1.0 - 1e-9)..hi * (1.0 + 1e-9)
}

/// Vertical colour bar of `cmap` over `[vmin, vmax]` in `area`: `steps` bands, `ticks`
/// labelled on the right with `label` above (as the chart caption, so that a bar beside a
/// chart with a caption of the same size lines up with it). `x_label_area` is the height
/// left free below the bar (that of the chart beside it).
#[allow(clippy::too_many_arguments)]
pub fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: &str,
    caption_size: u32,
    margin: u32,
    x_label_area: u32,
    (vmin, vmax): (f64, f64),
    ticks: &[f64],
    cmap: impl Fn(f64) -> RGBColor,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let mut c = ChartBuilder::on(area)
        .caption(label, (FONT, caption_size))
        .margin(margin)
        .margin_right(4)
        .x_label_area_size(x_label_area)
        .right_y_label_area_size(40)
        .build_cartesian_2d(0.0..1.0, vmin..vmax)?;
    let steps = 64;
    let dv = (vmax - vmin) / steps as f64;
    c.draw_series((0..steps).map(|k| {
        let v = vmin + k as f64 * dv;
        Rectangle::new(
            [(0.0, v), (1.0, v + dv)],
            cmap((v + 0.5 * dv - vmin) / (vmax - vmin)).filled(),
        )
    }))?;
    c.draw_series(std::iter::once(Rectangle::new(
        [(0.0, vmin), (1.0, vmax)],
        BLACK.stroke_width(1),
    )))?;
    let ticks = ticks.to_vec();
    c.configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .disable_x_axis()
        .y_labels(ticks.len().max(2))
        .y_label_formatter(&move |v| match ticks
            .iter()
            .find(|t| (*t - v).abs() < 1e-9 * (vmax - vmin))
        {
            Some(t) => format!("{t}"),
            None => String::new(),
        })
        .label_style((FONT, 14))
        .draw()?;
    Ok(())
}

/// Colour key of a three-way mixture drawn as RGB = (a, b, c): an equilateral triangle of
/// side `side` px with its lower-left corner at `origin` (pixels of `area`), vertices
/// pure red (lower right, `names[0]`), green (top, `names[1]`) and blue (lower left,
/// `names[2]`), split into `n`² small triangles each filled with the colour of its centre.
pub fn draw_ternary_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    origin: (i32, i32),
    side: f64,
    n: usize,
    names: [&str; 3],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let h = side * 3f64.sqrt() / 2.0;
    // Barycentric (red, green, blue) to pixels.
    let at = |r: f64, g: f64| -> (i32, i32) {
        let x = r * side + g * 0.5 * side;
        let y = -g * h;
        (origin.0 + x.round() as i32, origin.1 + y.round() as i32)
    };
    let to_u8 = |x: f64| (x.clamp(0.0, 1.0) * 255.0).round() as u8;
    let nf = n as f64;
    for i in 0..n {
        for j in 0..n - i {
            // Upward triangle with lattice corners (i, j), (i+1, j), (i, j+1) in (red, green).
            let (r, g) = (i as f64, j as f64);
            let tris = [
                (
                    [(r, g), (r + 1.0, g), (r, g + 1.0)],
                    (r + 1.0 / 3.0, g + 1.0 / 3.0),
                ),
                (
                    [(r + 1.0, g), (r + 1.0, g + 1.0), (r, g + 1.0)],
                    (r + 2.0 / 3.0, g + 2.0 / 3.0),
                ),
            ];
            for (k, (pts, (cr, cg))) in tris.into_iter().enumerate() {
                if k == 1 && i + j + 2 > n {
                    continue;
                }
                let (cr, cg) = (cr / nf, cg / nf);
                let colour = RGBColor(to_u8(cr), to_u8(cg), to_u8(1.0 - cr - cg));
                let poly: Vec<(i32, i32)> = pts.iter().map(|&(a, b)| at(a / nf, b / nf)).collect();
                area.draw(&Polygon::new(poly, colour.filled()))?;
            }
        }
    }
    let corners = [at(1.0, 0.0), at(0.0, 1.0), at(0.0, 0.0)];
    area.draw(&PathElement::new(
        vec![corners[0], corners[1], corners[2], corners[0]],
        BLACK.stroke_width(1),
    ))?;
    let style = |h: HPos, v: VPos| TextStyle::from((FONT, 14).into_font()).pos(Pos::new(h, v));
    // The two lower labels on two lines, so that long names do not overlap.
    area.draw(&Text::new(
        names[0],
        (corners[0].0 + 4, corners[0].1 + 24),
        style(HPos::Right, VPos::Top),
    ))?;
    area.draw(&Text::new(
        names[1],
        (corners[1].0, corners[1].1 - 6),
        style(HPos::Center, VPos::Bottom),
    ))?;
    area.draw(&Text::new(
        names[2],
        (corners[2].0 - 4, corners[2].1 + 6),
        style(HPos::Left, VPos::Top),
    ))?;
    Ok(())
}

/// Text style of the embedded font at `size` px.
pub fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().into()
}

/// The legend of a chart at `position`: `size` px text on a white background of opacity
/// `opacity`, black border.
pub fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    size: u32,
    opacity: f64,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(opacity))
        .border_style(BLACK)
        .label_font(font(size))
        .draw()?;
    Ok(())
}

/// Density histogram of `v` on [0, 1] with `bins` equal bins (values outside are dropped,
/// 1 falls in the last bin): counts / (n · bin width), so the bars integrate to the fraction
/// of `v` inside.
pub fn density(v: &[f64], bins: usize) -> Vec<f64> {
    let mut h = vec![0.0; bins];
    let w = 1.0 / bins as f64;
    for &x in v {
        if (0.0..=1.0).contains(&x) {
            let k = ((x / w) as usize).min(bins - 1);
            h[k] += 1.0;
        }
    }
    let n = v.len().max(1) as f64;
    h.iter().map(|c| c / (n * w)).collect()
}

/// Maximum-likelihood rate λ = 1/mean of an exponential density fitted to `v`, or `None` if
/// `v` is empty or its mean is not positive.
pub fn exponential_fit(v: &[f64]) -> Option<f64> {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (!v.is_empty() && mean > 0.0).then(|| 1.0 / mean)
}

/// Maximum-likelihood Gaussian (mean, population s.d.) of `v`, or `None` with fewer than two
/// values or zero spread.
pub fn gaussian_fit(v: &[f64]) -> Option<(f64, f64)> {
    if v.len() < 2 {
        return None;
    }
    let n = v.len() as f64;
    let mu = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / n).sqrt();
    (sd > 0.0).then_some((mu, sd))
}

/// A grid point and the vector field there.
pub type FieldSample = ((f64, f64), (f64, f64));

/// Sample a planar vector field on the centres of a `g` × `g` grid over
/// [x0, x1] × [y0, y1]: returns the points with their vectors and the largest speed in cell
/// units, max |(f_x/dx, f_y/dy)| (for arrows scaled to the cell size).
pub fn sample_field(
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    g: usize,
    mut field: impl FnMut(f64, f64) -> (f64, f64),
) -> (Vec<FieldSample>, f64) {
    let (dx, dy) = ((x1 - x0) / g as f64, (y1 - y0) / g as f64);
    let mut vecs = Vec::with_capacity(g * g);
    let mut vmax: f64 = 0.0;
    for i in 0..g {
        for j in 0..g {
            let (a, b) = (x0 + (i as f64 + 0.5) * dx, y0 + (j as f64 + 0.5) * dy);
            let f = field(a, b);
            vmax = vmax.max((f.0 / dx).hypot(f.1 / dy));
            vecs.push(((a, b), f));
        }
    }
    (vecs, vmax)
}

/// Chart with linear f64 axes.
pub type LinChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Fill an image of `rgb.len() = nx · ny` cells (row-major, row j spans
/// `[y_edges[j], y_edges[j+1]]`) into a chart with any coordinates; `x_edges` has nx + 1 and
/// `y_edges` ny + 1 entries. Used for phase diagrams (RGB) and rasters.
pub fn draw_rgb_image<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    x_edges: &[X::ValueType],
    y_edges: &[Y::ValueType],
    rgb: &[RGBColor],
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged,
    Y: Ranged,
    X::ValueType: Clone + 'static,
    Y::ValueType: Clone + 'static,
{
    let (nx, ny) = (
        x_edges.len().saturating_sub(1),
        y_edges.len().saturating_sub(1),
    );
    if rgb.len() != nx * ny {
        return Err(format!("image has {} cells, edges give {nx} x {ny}", rgb.len()).into());
    }
    chart.draw_series((0..ny).flat_map(|j| {
        (0..nx).map(move |i| {
            Rectangle::new(
                [
                    (x_edges[i].clone(), y_edges[j].clone()),
                    (x_edges[i + 1].clone(), y_edges[j + 1].clone()),
                ],
                rgb[j * nx + i].filled(),
            )
        })
    }))?;
    Ok(())
}

/// Arrow from `from` to `to` in chart coordinates with a head of `head` data units
/// (head length measured along the arrow, in the units of the x axis for both axes — use it on
/// equal-aspect charts).
pub fn draw_arrow<DB: DrawingBackend>(
    chart: &mut LinChart<'_, DB>,
    from: (f64, f64),
    to: (f64, f64),
    head: f64,
    style: ShapeStyle,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt();
    if len == 0.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / len, dy / len);
    let (c, s) = (0.5f64.cos(), 0.5f64.sin());
    let w1 = (-(ux * c - uy * s) * head, -(uy * c + ux * s) * head);
    let w2 = (-(ux * c + uy * s) * head, -(uy * c - ux * s) * head);
    chart.draw_series(std::iter::once(PathElement::new(vec![from, to], style)))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(to.0 + w1.0, to.1 + w1.1), to, (to.0 + w2.0, to.1 + w2.1)],
        style,
    )))?;
    Ok(())
}

/// Quiver plot: at each point (x, y) of `points` draw an arrow of length `len` (data units)
/// centred on the point, in the direction of `field(x, y)`; zero or non-finite vectors are
/// skipped, as are points outside the chart's x and y ranges `clip`. Use on equal-aspect charts
/// (flow fields, phase portraits).
pub fn draw_quiver<DB: DrawingBackend>(
    chart: &mut LinChart<'_, DB>,
    points: impl IntoIterator<Item = (f64, f64)>,
    field: impl Fn(f64, f64) -> (f64, f64),
    len: f64,
    clip: ((f64, f64), (f64, f64)),
    style: ShapeStyle,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let ((x0, x1), (y0, y1)) = clip;
    for (x, y) in points {
        if x < x0 || x > x1 || y < y0 || y > y1 {
            continue;
        }
        let (vx, vy) = field(x, y);
        let n = (vx * vx + vy * vy).sqrt();
        if !(n.is_finite() && n > 0.0) {
            continue;
        }
        let (ux, uy) = (vx / n * len, vy / n * len);
        draw_arrow(
            chart,
            (x - 0.5 * ux, y - 0.5 * uy),
            (x + 0.5 * ux, y + 0.5 * uy),
            0.3 * len,
            style,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jet_endpoints_and_middle() {
        assert_eq!(jet(0.0), RGBColor(0, 0, 128));
        assert_eq!(jet(1.0), RGBColor(128, 0, 0));
        assert_eq!(jet(0.5), RGBColor(128, 255, 128));
        assert_eq!(jet(f64::NAN), WHITE);
    }

    #[test]
    fn matplotlib_colours() {
        assert_eq!((C0.0, C0.1, C0.2), (0x1f, 0x77, 0xb4));
        assert_eq!((C3.0, C3.1, C3.2), (0xd6, 0x27, 0x28));
    }

    #[test]
    fn ticks_and_grids() {
        assert_eq!(log_tick_label(&1e-9), "1e-9");
        assert_eq!(log_tick_label(&100.0), "100");
        assert_eq!(decades(3e-3, 2.0), vec![1e-2, 1e-1, 1.0]);
    }
}
