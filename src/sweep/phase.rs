//! Aggregation of sweep records into a phase table: one row per (lr, delay) cell with counts
//! (docs/fits.md; `dynphase phase`).
//!
//! CSV header: `lr,delay_ms,n,not_learned,limit_cycle,slow_point`. Classes 0 and 3 count as
//! not learned; class 1 is LC, class 2 SP. For the no-memory control `delay_ms` is the
//! response window and the last two columns are empty. The table type is
//! [`crate::fit::PhaseTable`], which the scaling fits read.

use std::collections::BTreeMap;

use super::record::RunRecord;
use super::spec::Experiment;
use crate::outcome::Outcome;
use crate::{Error, Result};

pub use crate::fit::{PhaseCell, PhaseTable, PHASE_HEADER};

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

/// Count outcomes per (lr, delay) cell for one experiment; cells ordered by lr descending,
/// then delay ascending.
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
            match r.outcome {
                Outcome::LimitCycle => *c.limit_cycle.as_mut().expect("set") += 1,
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
    table.to_csv_string()
}
