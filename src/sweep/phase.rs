//! Aggregation of sweep records into a phase table: one row per (lr, delay) cell with counts
//! (SPEC 8.1; `dynphase phase`).
//!
//! CSV header: `lr,delay_ms,n,not_learned,limit_cycle,slow_point`. Classes 0 and 3 count as
//! not learned; class 1 is LC, class 2 SP. For the no-memory control `delay_ms` is the
//! response window and the last two columns are empty.

use std::collections::BTreeMap;
use std::path::Path;

use super::record::RunRecord;
use super::spec::Experiment;
use crate::{Error, Result};

/// One cell of a phase table: counts of networks by outcome at one (lr, delay).
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseCell {
    /// Learning rate η.
    pub lr: f64,
    /// Delay in ms (no-memory: response window).
    pub delay_ms: f64,
    /// Networks in the cell.
    pub n: u64,
    /// Networks not learned (classes 0 and 3).
    pub not_learned: u64,
    /// Limit-cycle networks (class 1); `None` for the no-memory control.
    pub limit_cycle: Option<u64>,
    /// Slow-point networks (class 2); `None` for the no-memory control.
    pub slow_point: Option<u64>,
}

/// A phase table: cells ordered by lr descending, then delay ascending.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhaseTable {
    /// The cells.
    pub cells: Vec<PhaseCell>,
}

/// The CSV header of a phase table.
pub const PHASE_HEADER: &str = "lr,delay_ms,n,not_learned,limit_cycle,slow_point";

/// The single experiment present in `records`, or the one requested (error if absent, or if
/// several are present and none is requested).
pub fn pick_experiment(records: &[RunRecord], wanted: Option<Experiment>) -> Result<Experiment> {
    let mut present: Vec<Experiment> = records.iter().map(|r| r.experiment).collect();
    present.sort();
    present.dedup();
    let names = present
        .iter()
        .map(|e| e.name())
        .collect::<Vec<_>>()
        .join(", ");
    match wanted {
        Some(e) if present.contains(&e) => Ok(e),
        Some(e) => Err(Error::invalid(
            "experiment",
            format!("no records of '{}' (present: {names})", e.name()),
        )),
        None => match present.as_slice() {
            [e] => Ok(*e),
            [] => Err(Error::invalid("phase", "no records")),
            _ => Err(Error::invalid(
                "experiment",
                format!("several experiments present ({names}); choose one with --experiment"),
            )),
        },
    }
}

/// Count outcomes per (lr, delay) cell for one experiment.
pub fn phase_table(records: &[RunRecord], experiment: Experiment) -> PhaseTable {
    let mech = experiment.has_mechanism();
    let mut cells: BTreeMap<(std::cmp::Reverse<u64>, u32), PhaseCell> = BTreeMap::new();
    for r in records.iter().filter(|r| r.experiment == experiment) {
        // Key on the bit pattern of the (positive) lr: orders like the value.
        let key = (std::cmp::Reverse(r.lr.to_bits()), r.delay_ms);
        let c = cells.entry(key).or_insert_with(|| PhaseCell {
            lr: r.lr,
            delay_ms: r.delay_ms as f64,
            n: 0,
            not_learned: 0,
            limit_cycle: mech.then_some(0),
            slow_point: mech.then_some(0),
        });
        c.n += 1;
        if r.not_learned() {
            c.not_learned += 1;
        } else if mech {
            match r.class {
                1 => *c.limit_cycle.as_mut().expect("set") += 1,
                _ => *c.slow_point.as_mut().expect("set") += 1,
            }
        }
    }
    PhaseTable {
        cells: cells.into_values().collect(),
    }
}

/// The table as CSV text with the [`PHASE_HEADER`] header.
pub fn to_csv_string(table: &PhaseTable) -> String {
    let opt = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_default();
    let mut s = String::from(PHASE_HEADER);
    s.push('\n');
    for c in &table.cells {
        s.push_str(&format!(
            "{},{},{},{},{},{}\n",
            c.lr,
            c.delay_ms,
            c.n,
            c.not_learned,
            opt(c.limit_cycle),
            opt(c.slow_point)
        ));
    }
    s
}

/// Write the table as CSV to `path`.
pub fn write_csv(table: &PhaseTable, path: &Path) -> Result<()> {
    std::fs::write(path, to_csv_string(table)).map_err(|e| Error::io(path, e))
}
