//! Figures of a sweep's phase table: the RGB phase diagram (Fig 4H, 4I, S5C, S6B), class
//! fractions against delay at every learning rate (Fig 4B, 4E, S5B) and at selected ones with
//! their onset fits (Fig S3D, S3E and the extra panel of S5C).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart, fmt_g, fmt_int, FONT};
use crate::fit::{OnsetModel, TwoStepResult};
use crate::plot::{
    draw_colour_bar, draw_legend, draw_ternary_key, DrawResult, Figure, C0, C1, C2, C3,
};
use crate::sweep::aggregate::cell_fractions;
use crate::sweep::phase::PhaseTable;
use crate::sweep::Experiment;

fn to_u8(x: f64) -> u8 {
    (x.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// Largest delay of the table (at least 1 ms), the x range of the fraction plots.
fn max_delay(table: &PhaseTable) -> f64 {
    table
        .cells
        .iter()
        .map(|c| c.delay_ms)
        .fold(0.0f64, f64::max)
        .max(1.0)
}

/// The learning rates of the table in cell order, each once.
fn table_lrs(table: &PhaseTable) -> Vec<f64> {
    let mut lrs: Vec<f64> = table.cells.iter().map(|c| c.lr).collect();
    lrs.dedup();
    lrs
}

/// Points (delay, fraction `k`) of the row at learning rate `lr`; `k` indexes
/// [`cell_fractions`]' triple.
fn row_points(table: &PhaseTable, fr: &[(f64, f64, f64)], lr: f64, k: usize) -> Vec<(f64, f64)> {
    table
        .cells
        .iter()
        .zip(fr)
        .filter(|(c, _)| c.lr == lr)
        .map(|(c, f)| (c.delay_ms, [f.0, f.1, f.2][k]))
        .collect()
}

/// RGB phase diagram: pixel RGB = (f_LC, f_SP, f_fail), rows η (largest on top), columns
/// delays ascending, with a ternary colour key; for the no-memory control RGB =
/// (f_not, f_correct, 0) with a colour bar.
pub struct PhaseDiagram<'a> {
    /// The phase table.
    pub table: &'a PhaseTable,
    /// Its experiment.
    pub experiment: Experiment,
    /// Title.
    pub title: &'a str,
}

impl Figure for PhaseDiagram<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (table, experiment) = (self.table, self.experiment);
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
        let (main, key) = root.split_horizontally(720);
        if experiment == Experiment::NoMemory {
            let (_, bar) = key.split_horizontally(40);
            let (bar, _) = bar.split_horizontally(100);
            draw_colour_bar(
                &bar,
                "fraction correct",
                16,
                10,
                45,
                (0.0, 1.0),
                &[0.0, 0.5, 1.0],
                |v| RGBColor(to_u8(1.0 - v), to_u8(v), 0),
            )?;
        } else {
            for (line, y) in [("colour = mixture", 150), ("of the fractions", 170)] {
                key.draw(&Text::new(line, (20, y), (FONT, 15).into_font()))?;
            }
            draw_ternary_key(
                &key,
                (22, 360),
                140.0,
                12,
                ["Limit cycle", "Slow point", "Not learned"],
            )?;
        }
        let mut chart = ChartBuilder::on(&main)
            .caption(self.title, (FONT, 20))
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
    }
}

/// Class fractions against delay, one line per learning rate and class (darker for larger η).
pub struct Fractions<'a> {
    /// The phase table.
    pub table: &'a PhaseTable,
    /// Title.
    pub title: &'a str,
}

impl Figure for Fractions<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let table = self.table;
        let fr = cell_fractions(table);
        let lrs = table_lrs(table);
        let mut chart =
            chart(root, self.title, 50).build_cartesian_2d(0f64..max_delay(table), 0f64..1.02)?;
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
                let pts = row_points(table, &fr, lr, k);
                // Darker for larger η: rank 0 is the largest learning rate.
                let rank = lrs.iter().filter(|&&l| l > lr).count() as f64;
                let alpha = 0.9 - 0.65 * rank / (lrs.len().max(2) - 1) as f64;
                let s = chart.draw_series(
                    LineSeries::new(pts, col.mix(alpha).stroke_width(2)).point_size(3),
                )?;
                if j == 0 {
                    s.label(label).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(3))
                    });
                }
            }
        }
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label("one line per η, darker: larger η")
            .legend(|(x, y)| EmptyElement::at((x, y)));
        draw_legend(&mut chart, SeriesLabelPosition::MiddleRight, 14, 0.8)
    }
}

/// Fractions against delay at selected learning rates (markers) with the onset fit of each
/// row where the two-step fit has one (line; otherwise a faint line through the points).
pub struct RowFractions<'a> {
    table: &'a PhaseTable,
    chosen: Vec<f64>,
    k: usize,
    fits: Option<(&'a TwoStepResult, OnsetModel)>,
    title: &'a str,
}

impl<'a> RowFractions<'a> {
    /// The rows of `table` nearest (in ln η) to each of `lrs_wanted`, fraction `k` (0 not
    /// learned, 2 SP); `None` if the table has no rows.
    pub fn new(
        table: &'a PhaseTable,
        lrs_wanted: &[f64],
        k: usize,
        fits: Option<(&'a TwoStepResult, OnsetModel)>,
        title: &'a str,
    ) -> Option<Self> {
        let lrs = table_lrs(table);
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
        (!chosen.is_empty()).then_some(RowFractions {
            table,
            chosen,
            k,
            fits,
            title,
        })
    }
}

impl Figure for RowFractions<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (table, k) = (self.table, self.k);
        let fr = cell_fractions(table);
        let dmax = max_delay(table);
        let palette = [C0, C1, C2, C3];
        let ylabel = if k == 0 {
            "Fraction not learned"
        } else {
            "Fraction slow point"
        };
        let mut chart = chart(root, self.title, 50).build_cartesian_2d(0f64..dmax, 0f64..1.02)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("Delay (ms)")
            .y_desc(ylabel)
            .x_label_formatter(&fmt_int)
            .y_label_formatter(&|v| fmt_g(*v))
            .label_style((FONT, 14))
            .draw()?;
        for (j, &lr) in self.chosen.iter().enumerate() {
            let col = palette[j % palette.len()];
            let pts = row_points(table, &fr, lr, k);
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 4, col.filled())))?
                .label(format!("η = {lr:.4}"))
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, col.filled()));
            let row = self.fits.and_then(|(r, m)| {
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
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight, 14, 0.8)
    }
}
