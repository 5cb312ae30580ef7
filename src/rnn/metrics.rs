//! Per-epoch metrics (docs/outcomes.md) and the per-network outcome (docs/outcomes.md).

use crate::outcome::Outcome;

/// Round to 4 decimals, half to even (numpy `around(x, 4)`): rint(x·10⁴)/10⁴.
pub fn round4(x: f64) -> f64 {
    (x * 1e4).round_ties_even() / 1e4
}

/// Accumulator of accuracy and reliability over (trial, window step) pairs (docs/outcomes.md).
///
/// For each pair: p = o/(o_0 + o_1) with NaN → 0; accuracy term |argmax p − argmax y|,
/// reliability term p[argmax y]; argmax of an all-zero row is 0 and ties go to the lower index.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricAcc {
    count: usize,
    err: f64,
    rel: f64,
}

impl MetricAcc {
    /// Add one (output, target) pair. `p` is computed in the network's precision by the
    /// caller-independent rule above, here in f32 for f32 outputs (passed as f64 exactly).
    pub fn add(&mut self, o: [f64; 2], y: [f64; 2], single: bool) {
        let (p0, p1) = if single {
            let s = (o[0] as f32) + (o[1] as f32);
            ((o[0] as f32 / s) as f64, (o[1] as f32 / s) as f64)
        } else {
            let s = o[0] + o[1];
            (o[0] / s, o[1] / s)
        };
        let p0 = if p0.is_nan() { 0.0 } else { p0 };
        let p1 = if p1.is_nan() { 0.0 } else { p1 };
        let ap = usize::from(p1 > p0);
        let ay = usize::from(y[1] > y[0]);
        self.err += (ap as f64 - ay as f64).abs();
        self.rel += if ay == 0 { p0 } else { p1 };
        self.count += 1;
    }

    /// (accuracy, reliability), rounded to 4 decimals (half to even); NaN if empty.
    pub fn finish(&self) -> (f64, f64) {
        if self.count == 0 {
            return (f64::NAN, f64::NAN);
        }
        let n = self.count as f64;
        (round4(1.0 - self.err / n), round4(self.rel / n))
    }
}

/// Per-network scores of the outcome rules (docs/outcomes.md); [`Scores::outcome`] turns them
/// into the [`Outcome`] class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scores {
    /// First epoch S with A > 0.8 and R > 0.8, if any.
    pub first_success: Option<usize>,
    /// Stability of learning after S (true if there is no S).
    pub stable: bool,
    /// mean(A[trunc(0.9E):]) > 0.8 and mean(R[trunc(0.9E):]) > 0.8.
    pub final_ok: bool,
    /// final_ok and stable.
    pub learned: bool,
}

/// S = first epoch with A_e > 0.8 and R_e > 0.8.
pub fn first_success(acc: &[f64], rel: &[f64]) -> Option<usize> {
    acc.iter().zip(rel).position(|(&a, &r)| a > 0.8 && r > 0.8)
}

/// stable = true if no S, else
/// (#{e≥S: A_e<0.6} + #{e≥S: R_e<0.6}) / (#{e≥S: A_e>0.6} + #{e≥S: R_e>0.6}) < 0.1.
pub fn stable(acc: &[f64], rel: &[f64]) -> bool {
    match first_success(acc, rel) {
        None => true,
        Some(s) => {
            let low = acc[s..].iter().filter(|&&a| a < 0.6).count()
                + rel[s..].iter().filter(|&&r| r < 0.6).count();
            let high = acc[s..].iter().filter(|&&a| a > 0.6).count()
                + rel[s..].iter().filter(|&&r| r > 0.6).count();
            (low as f64 / high as f64) < 0.1
        }
    }
}

fn tail_mean(x: &[f64]) -> f64 {
    let e = x.len();
    let start = (0.9 * e as f64).trunc() as usize;
    let tail = &x[start.min(e)..];
    if tail.is_empty() {
        return f64::NAN;
    }
    tail.iter().sum::<f64>() / tail.len() as f64
}

/// final_ok = mean(A[trunc(0.9E):]) > 0.8 and mean(R[trunc(0.9E):]) > 0.8 (false if E = 0).
pub fn final_ok(acc: &[f64], rel: &[f64]) -> bool {
    tail_mean(acc) > 0.8 && tail_mean(rel) > 0.8
}

/// All outcome scores of one network from its accuracy and reliability histories.
pub fn scores(acc: &[f64], rel: &[f64]) -> Scores {
    let st = stable(acc, rel);
    let fo = final_ok(acc, rel);
    Scores {
        first_success: first_success(acc, rel),
        stable: st,
        final_ok: fo,
        learned: fo && st,
    }
}

impl Scores {
    /// The outcome of a DCDT network (docs/outcomes.md): not learned (stable), unstable, or
    /// for a learned network its mechanism from the spectral index `mechanism_index`
    /// (docs/mechanism-index.md; ignored when not learned, NaN labels SP).
    pub fn outcome(&self, mechanism_index: f64) -> Outcome {
        Outcome::dcdt(self.learned, self.stable, mechanism_index)
    }
}

/// Fixed-window outcome (docs/outcomes.md): learned = final_ok only; correct or not learned.
pub fn fixed_window_outcome(acc: &[f64], rel: &[f64]) -> Outcome {
    if final_ok(acc, rel) {
        Outcome::Correct
    } else {
        Outcome::NotLearned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_half_even() {
        // 2^-5·1e4 = 312.5 and 3·2^-5·1e4 = 937.5 exactly: ties go to even.
        assert_eq!(round4(0.03125), 0.0312);
        assert_eq!(round4(0.09375), 0.0938);
        // 0.00015·1e4 = 1.4999999999999998 in binary (as numpy.around) → 0.0001.
        assert_eq!(round4(0.00015), 0.0001);
        assert_eq!(round4(0.95), 0.95);
        assert_eq!(round4(0.123_46), 0.1235);
    }

    #[test]
    fn outcome_rules() {
        // Learned at epoch 2 and stays: class from the index.
        let a = [0.5, 0.7, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95];
        let r = [0.5, 0.7, 0.85, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9];
        let o = scores(&a, &r);
        assert_eq!(o.first_success, Some(2));
        assert!(o.stable && o.final_ok && o.learned);
        assert_eq!(o.outcome(0.2), Outcome::LimitCycle);
        assert_eq!(o.outcome(0.5), Outcome::SlowPoint);
        assert_eq!(o.outcome(f64::NAN), Outcome::SlowPoint);
        // Unstable: after S, 2 lows among 8 epochs x 2 metrics: low = 4, high = 12 → 0.33.
        let a2 = [0.9, 0.5, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9];
        let r2 = [0.9, 0.5, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9];
        let o2 = scores(&a2, &r2);
        assert!(!o2.stable && o2.final_ok && !o2.learned);
        assert_eq!(o2.outcome(0.0), Outcome::Unstable);
        // Never successful: stable, not learned → 0.
        let o3 = scores(&[0.5; 10], &[0.5; 10]);
        assert!(o3.stable && !o3.learned);
        assert_eq!(o3.outcome(0.0), Outcome::NotLearned);
        // final window = last trunc(0.9·10) = index 9 only.
        let mut a4 = [0.5; 10];
        let mut r4 = [0.5; 10];
        a4[9] = 0.81;
        r4[9] = 0.81;
        assert!(final_ok(&a4, &r4));
        assert_eq!(fixed_window_outcome(&a4, &r4), Outcome::Correct);
        a4[9] = 0.8;
        assert!(!final_ok(&a4, &r4), "strict inequality");
    }

    #[test]
    fn metric_ties_and_nan() {
        let mut m = MetricAcc::default();
        // zero outputs: p = NaN → 0, argmax 0; target class-1 e(1) = [1,0] → correct, rel 0.
        m.add([0.0, 0.0], [1.0, 0.0], true);
        // tie p = (0.5, 0.5) → argmax 0; target e(0) = [0,1] (argmax 1) → wrong, rel 0.5.
        m.add([0.3, 0.3], [0.0, 1.0], true);
        let (a, r) = m.finish();
        assert_eq!(a, 0.5);
        assert_eq!(r, 0.25);
    }
}
