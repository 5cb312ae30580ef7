//! Phase-diagram table: network counts per (learning rate, delay) cell (docs/fits.md).
//!
//! CSV form, header exactly `lr,delay_ms,n,not_learned,limit_cycle,slow_point`. Counts are
//! numbers of networks; class 3 (unstable) counts as not learned. For the no-memory experiment
//! `delay_ms` holds the response window and the last two columns may be empty.

use std::path::Path;

use crate::{Error, Result};

/// The exact CSV header of a phase table.
pub const PHASE_HEADER: &str = "lr,delay_ms,n,not_learned,limit_cycle,slow_point";

/// One (learning rate, delay) cell of a phase diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseCell {
    /// Learning rate η.
    pub lr: f64,
    /// Delay in ms (no-memory experiment: response window in ms).
    pub delay_ms: f64,
    /// Number of networks in the cell.
    pub n: u64,
    /// Networks that did not learn (classes 0 and 3).
    pub not_learned: u64,
    /// Networks classified as limit cycle (class 1), if classified.
    pub limit_cycle: Option<u64>,
    /// Networks classified as slow point (class 2), if classified.
    pub slow_point: Option<u64>,
}

impl PhaseCell {
    /// Fraction not learned `not_learned / n` (NaN if `n = 0`).
    pub fn f_fail(&self) -> f64 {
        ratio(self.not_learned, self.n)
    }
    /// Limit-cycle fraction (NaN if unclassified or `n = 0`).
    pub fn f_lc(&self) -> f64 {
        self.limit_cycle.map_or(f64::NAN, |c| ratio(c, self.n))
    }
    /// Slow-point fraction (NaN if unclassified or `n = 0`).
    pub fn f_sp(&self) -> f64 {
        self.slow_point.map_or(f64::NAN, |c| ratio(c, self.n))
    }
}

fn ratio(a: u64, n: u64) -> f64 {
    if n == 0 {
        f64::NAN
    } else {
        a as f64 / n as f64
    }
}

/// All cells of a phase diagram.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhaseTable {
    /// The cells, in file order.
    pub cells: Vec<PhaseCell>,
}

fn fmt_opt(v: Option<u64>) -> String {
    v.map(|c| c.to_string()).unwrap_or_default()
}

impl PhaseTable {
    /// Distinct learning rates, descending (the row order of the phase diagrams).
    pub fn lrs_desc(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.cells.iter().map(|c| c.lr).collect();
        v.sort_by(|a, b| b.total_cmp(a));
        v.dedup();
        v
    }

    /// Distinct delays (ms), ascending (the column order).
    pub fn delays(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.cells.iter().map(|c| c.delay_ms).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v.dedup();
        v
    }

    /// The cell at exactly (`lr`, `delay_ms`), if present.
    pub fn cell(&self, lr: f64, delay_ms: f64) -> Option<&PhaseCell> {
        self.cells
            .iter()
            .find(|c| c.lr == lr && c.delay_ms == delay_ms)
    }

    /// Cells of one learning rate, sorted by delay ascending.
    pub fn row(&self, lr: f64) -> Vec<&PhaseCell> {
        let mut v: Vec<&PhaseCell> = self.cells.iter().filter(|c| c.lr == lr).collect();
        v.sort_by(|a, b| a.delay_ms.total_cmp(&b.delay_ms));
        v
    }

    /// Matrix of a per-cell fraction, rows = [`lrs_desc`](Self::lrs_desc), columns =
    /// [`delays`](Self::delays); missing cells are NaN.
    pub fn fraction_grid(&self, f: impl Fn(&PhaseCell) -> f64) -> Vec<Vec<f64>> {
        let lrs = self.lrs_desc();
        let ds = self.delays();
        lrs.iter()
            .map(|&lr| {
                ds.iter()
                    .map(|&d| self.cell(lr, d).map_or(f64::NAN, &f))
                    .collect()
            })
            .collect()
    }

    /// Not-learned fractions on the (lr desc) x (delay asc) grid.
    pub fn fail_fractions(&self) -> Vec<Vec<f64>> {
        self.fraction_grid(PhaseCell::f_fail)
    }

    /// Limit-cycle fractions on the (lr desc) x (delay asc) grid.
    pub fn lc_fractions(&self) -> Vec<Vec<f64>> {
        self.fraction_grid(PhaseCell::f_lc)
    }

    /// Slow-point fractions on the (lr desc) x (delay asc) grid.
    pub fn sp_fractions(&self) -> Vec<Vec<f64>> {
        self.fraction_grid(PhaseCell::f_sp)
    }

    /// The table as CSV text (header [`PHASE_HEADER`], one line per cell, `\n` endings).
    pub fn to_csv_string(&self) -> String {
        let mut s = String::with_capacity(32 * (self.cells.len() + 1));
        s.push_str(PHASE_HEADER);
        s.push('\n');
        for c in &self.cells {
            s.push_str(&format!(
                "{},{},{},{},{},{}\n",
                c.lr,
                c.delay_ms,
                c.n,
                c.not_learned,
                fmt_opt(c.limit_cycle),
                fmt_opt(c.slow_point)
            ));
        }
        s
    }

    /// Write the table to `path` as CSV.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_csv_string()).map_err(|e| Error::io(path, e))
    }

    /// Read a table from a CSV file (see [`PhaseTable::parse_csv`]).
    pub fn read_csv(path: &Path) -> Result<PhaseTable> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse_csv(&text, path)
    }

    /// Parse CSV text; `path` is only used in error messages.
    ///
    /// The header must contain the six columns (any order, extra columns ignored). Errors name
    /// the line: missing columns, non-numeric or non-finite values, negative or fractional
    /// counts, `n = 0` with non-zero counts, or counts exceeding `n`.
    pub fn parse_csv(text: &str, path: &Path) -> Result<PhaseTable> {
        let mut lines = text.lines().enumerate();
        let header = loop {
            match lines.next() {
                Some((_, l)) if l.trim().is_empty() => continue,
                Some((_, l)) => break l,
                None => return Err(Error::format(path, "empty file (no header)")),
            }
        };
        let names: Vec<&str> = header.split(',').map(|s| s.trim()).collect();
        let col = |name: &str| -> Result<usize> {
            names.iter().position(|n| *n == name).ok_or_else(|| {
                Error::format(
                    path,
                    format!("line 1: missing column '{name}' (header must be {PHASE_HEADER})"),
                )
            })
        };
        let idx = [
            col("lr")?,
            col("delay_ms")?,
            col("n")?,
            col("not_learned")?,
            col("limit_cycle")?,
            col("slow_point")?,
        ];
        let mut cells = Vec::new();
        for (i, line) in lines {
            let ln = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split(',').map(|s| s.trim()).collect();
            if f.len() < names.len() {
                return Err(Error::format(
                    path,
                    format!(
                        "line {ln}: expected {} fields, found {}",
                        names.len(),
                        f.len()
                    ),
                ));
            }
            let real = |k: usize, name: &str| -> Result<f64> {
                let v: f64 = f[idx[k]].parse().map_err(|_| {
                    Error::format(
                        path,
                        format!("line {ln}: {name} '{}' is not a number", f[idx[k]]),
                    )
                })?;
                if !v.is_finite() {
                    return Err(Error::format(
                        path,
                        format!("line {ln}: {name} is not finite"),
                    ));
                }
                Ok(v)
            };
            let count = |k: usize, name: &str, optional: bool| -> Result<Option<u64>> {
                let s = f[idx[k]];
                if s.is_empty() && optional {
                    return Ok(None);
                }
                s.parse::<u64>().map(Some).map_err(|_| {
                    Error::format(
                        path,
                        format!("line {ln}: {name} '{s}' is not a non-negative integer count"),
                    )
                })
            };
            let lr = real(0, "lr")?;
            let delay_ms = real(1, "delay_ms")?;
            let n = count(2, "n", false)?.unwrap_or(0);
            let not_learned = count(3, "not_learned", false)?.unwrap_or(0);
            let limit_cycle = count(4, "limit_cycle", true)?;
            let slow_point = count(5, "slow_point", true)?;
            let total = not_learned + limit_cycle.unwrap_or(0) + slow_point.unwrap_or(0);
            if total > n {
                return Err(Error::format(
                    path,
                    format!("line {ln}: counts sum to {total}, more than n = {n}"),
                ));
            }
            if lr <= 0.0 {
                return Err(Error::format(
                    path,
                    format!("line {ln}: lr must be positive, got {lr}"),
                ));
            }
            cells.push(PhaseCell {
                lr,
                delay_ms,
                n,
                not_learned,
                limit_cycle,
                slow_point,
            });
        }
        if cells.is_empty() {
            return Err(Error::format(path, "no data rows"));
        }
        for (a, c) in cells.iter().enumerate() {
            if cells[..a]
                .iter()
                .any(|b| b.lr == c.lr && b.delay_ms == c.delay_ms)
            {
                return Err(Error::format(
                    path,
                    format!(
                        "duplicate cell lr = {}, delay_ms = {} (data row {})",
                        c.lr,
                        c.delay_ms,
                        a + 1
                    ),
                ));
            }
        }
        Ok(PhaseTable { cells })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trip_and_ordering() {
        let t = PhaseTable {
            cells: vec![
                PhaseCell {
                    lr: 0.01,
                    delay_ms: 20.0,
                    n: 5,
                    not_learned: 1,
                    limit_cycle: Some(2),
                    slow_point: Some(2),
                },
                PhaseCell {
                    lr: 0.1,
                    delay_ms: 0.0,
                    n: 4,
                    not_learned: 0,
                    limit_cycle: None,
                    slow_point: None,
                },
            ],
        };
        let s = t.to_csv_string();
        assert!(s.starts_with("lr,delay_ms,n,not_learned,limit_cycle,slow_point\n"));
        assert!(s.contains("0.1,0,4,0,,\n"));
        let back = PhaseTable::parse_csv(&s, Path::new("x.csv")).unwrap();
        assert_eq!(back, t);
        assert_eq!(t.lrs_desc(), vec![0.1, 0.01]);
        assert_eq!(t.delays(), vec![0.0, 20.0]);
        assert_eq!(t.cells[0].f_fail(), 0.2);
        assert_eq!(t.cells[0].f_sp(), 0.4);
        assert!(t.cells[1].f_sp().is_nan());
    }

    #[test]
    fn malformed_rows_name_the_line() {
        let p = Path::new("t.csv");
        let e = PhaseTable::parse_csv("lr,delay_ms,n,not_learned\n0.1,0,1,0\n", p).unwrap_err();
        assert!(
            e.to_string().contains("missing column 'limit_cycle'"),
            "{e}"
        );
        let e = PhaseTable::parse_csv(
            &format!("{PHASE_HEADER}\n0.1,0,2,1,1,0\n0.1,20,x,0,0,0\n"),
            p,
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let e = PhaseTable::parse_csv(&format!("{PHASE_HEADER}\n0.1,0,2,1,1,1\n"), p).unwrap_err();
        assert!(
            e.to_string().contains("line 2") && e.to_string().contains("more than n"),
            "{e}"
        );
        let e = PhaseTable::parse_csv(&format!("{PHASE_HEADER}\n0.1,0,2,-1,1,0\n"), p).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
