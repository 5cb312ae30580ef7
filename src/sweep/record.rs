//! One finished network: the JSON line written to `runs.jsonl`.
//!
//! Field order is fixed (serde derive order) and `wall_s` is always the last field, so a
//! record line minus its `,"wall_s":...}` suffix is a pure function of the run spec. Floats
//! are written in shortest round-trip form; non-finite values (NaN losses of diverged runs,
//! a missing index) are written as `null` and read back as NaN.

use serde::{Deserialize, Deserializer, Serialize};

use super::spec::{run_id, Experiment, RunSpec};
use crate::outcome::Outcome;
use crate::Error;

/// Why a `runs.jsonl` line is not a valid record. The `Display` form is one line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The line is not UTF-8 text.
    #[error("not valid UTF-8")]
    NotUtf8,
    /// The line is not a JSON record of the expected shape.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// The `id` field disagrees with the experiment, lr, delay and seed fields.
    #[error("id '{id}' does not match its fields ({expected})")]
    IdMismatch {
        /// The id in the line.
        id: String,
        /// The id the other fields imply.
        expected: String,
    },
    /// The class number is not a class of the record's experiment (docs/outcomes.md).
    #[error("class {class} is not an outcome of experiment {experiment}")]
    ClassOutOfRange {
        /// The class number in the line.
        class: u8,
        /// The record's experiment.
        experiment: &'static str,
    },
}

/// The outcome of training and classifying one network (everything but identity and timing).
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// Epochs actually trained (the budget, unless the fixed-window abort rule fired).
    pub epochs_run: u64,
    /// Outcome class (docs/outcomes.md; its record code is [`Outcome::code`]).
    pub outcome: Outcome,
    /// Mechanism index (docs/mechanism-index.md); `None` unless class 1 or 2 of a full-rank DCDT network.
    pub index: Option<f64>,
    /// Loss of the last epoch (pre-update).
    pub final_loss: f32,
    /// Accuracy of the last epoch (NaN where not defined, e.g. rank-2).
    pub final_accuracy: f32,
    /// Reliability of the last epoch (NaN where not defined).
    pub final_reliability: f32,
    /// Epoch (0-based) of the first element of the curves below.
    pub curve_start: u64,
    /// Loss per epoch: the last 1000 epochs (fixed-window: the first 3000), unpadded.
    pub loss: Vec<f32>,
    /// Accuracy per epoch over the same epochs (empty where not defined).
    pub accuracy: Vec<f32>,
    /// Reliability per epoch over the same epochs (empty where not defined).
    pub reliability: Vec<f32>,
}

/// One line of `runs.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RecordLine")]
pub struct RunRecord {
    /// Run id (see [`run_id`]).
    pub id: String,
    /// Experiment name.
    pub experiment: Experiment,
    /// Learning rate η.
    pub lr: f64,
    /// Delay in ms (no-memory: response window).
    pub delay_ms: u32,
    /// Network seed.
    pub seed: u64,
    /// Epoch budget.
    pub epochs: u64,
    /// Epochs actually trained.
    pub epochs_run: u64,
    /// Outcome, written as its class number `"class"` ([`Outcome::code`]).
    #[serde(rename = "class", serialize_with = "outcome_code")]
    pub outcome: Outcome,
    /// Mechanism index, `null` if none.
    pub index: Option<f64>,
    /// Final loss.
    pub final_loss: f32,
    /// Final accuracy.
    pub accuracy: f32,
    /// Final reliability.
    pub reliability: f32,
    /// Epoch of the first curve element.
    pub curve_start: u64,
    /// Loss curve.
    pub loss_curve: Vec<f32>,
    /// Accuracy curve.
    pub accuracy_curve: Vec<f32>,
    /// Reliability curve.
    pub reliability_curve: Vec<f32>,
    /// Wall-clock seconds spent on this run (the only non-deterministic field; always last).
    pub wall_s: f64,
}

/// A `runs.jsonl` line as written, before its class number is read for its experiment.
#[derive(Deserialize)]
struct RecordLine {
    id: String,
    experiment: Experiment,
    lr: f64,
    delay_ms: u32,
    seed: u64,
    epochs: u64,
    epochs_run: u64,
    class: u8,
    index: Option<f64>,
    #[serde(deserialize_with = "nan_f32")]
    final_loss: f32,
    #[serde(deserialize_with = "nan_f32")]
    accuracy: f32,
    #[serde(deserialize_with = "nan_f32")]
    reliability: f32,
    curve_start: u64,
    #[serde(deserialize_with = "nan_vec_f32")]
    loss_curve: Vec<f32>,
    #[serde(deserialize_with = "nan_vec_f32")]
    accuracy_curve: Vec<f32>,
    #[serde(deserialize_with = "nan_vec_f32")]
    reliability_curve: Vec<f32>,
    wall_s: f64,
}

fn outcome_code<S: serde::Serializer>(o: &Outcome, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u8(o.code())
}

impl TryFrom<RecordLine> for RunRecord {
    type Error = RecordError;

    fn try_from(w: RecordLine) -> std::result::Result<RunRecord, RecordError> {
        let expected = run_id(w.experiment, w.lr, w.delay_ms, w.seed);
        if w.id != expected {
            return Err(RecordError::IdMismatch { id: w.id, expected });
        }
        let outcome = Outcome::from_code(w.class, w.experiment.labels()).ok_or(
            RecordError::ClassOutOfRange {
                class: w.class,
                experiment: w.experiment.name(),
            },
        )?;
        Ok(RunRecord {
            id: w.id,
            experiment: w.experiment,
            lr: w.lr,
            delay_ms: w.delay_ms,
            seed: w.seed,
            epochs: w.epochs,
            epochs_run: w.epochs_run,
            outcome,
            index: w.index,
            final_loss: w.final_loss,
            accuracy: w.accuracy,
            reliability: w.reliability,
            curve_start: w.curve_start,
            loss_curve: w.loss_curve,
            accuracy_curve: w.accuracy_curve,
            reliability_curve: w.reliability_curve,
            wall_s: w.wall_s,
        })
    }
}

fn nan_f32<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<f32, D::Error> {
    Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
}

fn nan_vec_f32<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<f32>, D::Error> {
    let v = Vec::<Option<f32>>::deserialize(d)?;
    Ok(v.into_iter().map(|x| x.unwrap_or(f32::NAN)).collect())
}

impl RunRecord {
    /// Assemble a record from a spec, its outcome and the wall time.
    pub fn new(spec: &RunSpec, out: RunOutcome, wall_s: f64) -> RunRecord {
        RunRecord {
            id: spec.id(),
            experiment: spec.experiment,
            lr: spec.lr,
            delay_ms: spec.delay_ms,
            seed: spec.seed,
            epochs: spec.epochs,
            epochs_run: out.epochs_run,
            outcome: out.outcome,
            index: out.index.filter(|x| x.is_finite()),
            final_loss: out.final_loss,
            accuracy: out.final_accuracy,
            reliability: out.final_reliability,
            curve_start: out.curve_start,
            loss_curve: out.loss,
            accuracy_curve: out.accuracy,
            reliability_curve: out.reliability,
            wall_s,
        }
    }

    /// Serialise as one JSON line including the trailing newline.
    pub fn to_line(&self) -> String {
        let mut s = serde_json::to_string(self).expect("a record always serialises");
        s.push('\n');
        s
    }

    /// Parse one line (without its newline); checks that `id` matches the other fields and
    /// that the class number is an outcome of the experiment.
    pub fn from_line(line: &str) -> std::result::Result<RunRecord, RecordError> {
        RunRecord::try_from(serde_json::from_str::<RecordLine>(line)?)
    }

    /// The record as a line without its timing field: the part that is a pure function of
    /// (experiment, lr, delay, seed).
    pub fn deterministic_line(&self) -> String {
        strip_wall(&self.to_line()).to_string()
    }

    /// True if the record counts as not learned (not learned or unstable; docs/fits.md).
    pub fn not_learned(&self) -> bool {
        self.outcome.not_learned()
    }
}

/// A record line with its `,"wall_s":...}` suffix (and newline) removed.
pub fn strip_wall(line: &str) -> &str {
    match line.rfind(",\"wall_s\":") {
        Some(p) => &line[..p],
        None => line.trim_end(),
    }
}

/// Sort records in canonical order: experiment, lr descending, delay ascending, seed ascending.
pub fn sort_canonical(records: &mut [RunRecord]) {
    records.sort_by(|a, b| {
        a.experiment
            .cmp(&b.experiment)
            .then(b.lr.total_cmp(&a.lr))
            .then(a.delay_ms.cmp(&b.delay_ms))
            .then(a.seed.cmp(&b.seed))
    });
}

/// Error for a record-level problem at a given 1-based line of a file.
pub(crate) fn line_error(path: &std::path::Path, line_no: usize, why: &str) -> Error {
    Error::format(path, format!("line {line_no}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RunRecord {
        let spec = RunSpec {
            experiment: Experiment::Post,
            lr: 0.0719686,
            delay_ms: 120,
            seed: 4,
            epochs: 1389,
        };
        RunRecord::new(
            &spec,
            RunOutcome {
                epochs_run: 1389,
                outcome: Outcome::LimitCycle,
                index: Some(0.25),
                final_loss: f32::NAN,
                final_accuracy: 0.95,
                final_reliability: 0.9531,
                curve_start: 389,
                loss: vec![0.5, f32::NAN, 0.1],
                accuracy: vec![0.5, 0.6, 0.95],
                reliability: vec![],
            },
            1.25,
        )
    }

    #[test]
    fn round_trip_with_nan_as_null() {
        let r = sample();
        let line = r.to_line();
        assert!(line.ends_with(",\"wall_s\":1.25}\n"), "{line}");
        assert!(line.contains("\"final_loss\":null"));
        assert!(line.contains("\"loss_curve\":[0.5,null,0.1]"));
        let back = RunRecord::from_line(line.trim_end()).unwrap();
        assert!(back.final_loss.is_nan() && back.loss_curve[1].is_nan());
        assert_eq!(back.to_line(), line);
        assert_eq!(
            strip_wall(&line),
            &line[..line.len() - ",\"wall_s\":1.25}\n".len()]
        );
    }

    #[test]
    fn inconsistent_id_rejected() {
        let line = sample().to_line().replace("seed=4", "seed=5");
        let e = RunRecord::from_line(line.trim_end()).unwrap_err();
        assert!(matches!(e, RecordError::IdMismatch { .. }), "{e:?}");
        assert!(e.to_string().contains("does not match"), "{e}");
    }

    #[test]
    fn class_read_for_its_experiment() {
        let line = sample().to_line();
        assert!(line.contains("\"class\":1,"), "{line}");
        // Class 3 (unstable) exists for the post experiment, class 4 for none.
        let three = line.replace("\"class\":1,", "\"class\":3,");
        let r = RunRecord::from_line(three.trim_end()).unwrap();
        assert_eq!(r.outcome, Outcome::Unstable);
        let four = line.replace("\"class\":1,", "\"class\":4,");
        let e = RunRecord::from_line(four.trim_end()).unwrap_err();
        assert!(
            matches!(e, RecordError::ClassOutOfRange { class: 4, .. }),
            "{e:?}"
        );
        // Class 2 is not an outcome of the no-memory control; class 1 there is "correct".
        let nm = |c: u8| {
            line.replace("post/", "no-memory/")
                .replace("\"experiment\":\"post\"", "\"experiment\":\"no-memory\"")
                .replace("\"class\":1,", &format!("\"class\":{c},"))
        };
        assert!(RunRecord::from_line(nm(2).trim_end()).is_err());
        let r = RunRecord::from_line(nm(1).trim_end()).unwrap();
        assert_eq!(r.outcome, Outcome::Correct);
        assert_eq!(r.to_line(), nm(1));
    }
}
