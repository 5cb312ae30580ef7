//! Training histories as CSV with header `epoch,loss,grad_norm,accuracy,reliability`.

use crate::rnn::train::History;
use crate::{Error, Result};
use std::io::Write;
use std::path::Path;

/// The CSV header.
pub const HEADER: &str = "epoch,loss,grad_norm,accuracy,reliability";

/// Write a history (one row per epoch, values in shortest round-trip form; NaN as `NaN`).
pub fn write_csv(path: &Path, h: &History) -> Result<()> {
    let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = std::io::BufWriter::new(f);
    let io = |e| Error::io(path, e);
    writeln!(w, "{HEADER}").map_err(io)?;
    for e in 0..h.len() {
        writeln!(
            w,
            "{e},{},{},{},{}",
            h.loss[e], h.grad_norm[e], h.accuracy[e], h.reliability[e]
        )
        .map_err(io)?;
    }
    w.flush().map_err(io)
}

/// Read a history written by [`write_csv`].
pub fn read_csv(path: &Path) -> Result<History> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut lines = text.lines();
    let head = lines.next().unwrap_or("");
    if !head.starts_with(HEADER) {
        return Err(Error::format(path, format!("expected header '{HEADER}'")));
    }
    let mut h = History::default();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 5 {
            return Err(Error::format(
                path,
                format!("line {}: expected 5 columns", i + 2),
            ));
        }
        let num = |s: &str| -> Result<f64> {
            s.trim()
                .parse::<f64>()
                .map_err(|_| Error::format(path, format!("line {}: bad number '{s}'", i + 2)))
        };
        h.loss.push(num(f[1])?);
        h.grad_norm.push(num(f[2])?);
        h.accuracy.push(num(f[3])?);
        h.reliability.push(num(f[4])?);
    }
    Ok(h)
}
