//! Fixed and slow points of a [`VectorField`] with their Jacobian spectra (docs/mechanism-index.md, docs/decisions.md).
//!
//! The finder minimises the kinetic-energy objective q(x) = ½‖F(x)‖² (gradient Jᵀ F) with
//! argmin's L-BFGS (More–Thuente line search) from many starting points — typically states
//! along in-trial and out-of-trial trajectories plus small seeded Gaussian perturbations of
//! them. Candidates with q below [`FixedPointConfig::q_fixed`] are polished by Newton steps
//! x ← x − J⁻¹F and kept as **fixed points**; local minima of q above that tolerance
//! (‖∇q‖ ≤ [`FixedPointConfig::grad_tol`], q ≤ [`FixedPointConfig::q_slow_max`]) are kept as
//! **slow points** (ghosts of fixed points: J is nearly singular there). Duplicates closer than
//! [`FixedPointConfig::dedup_dist`] are merged (the lower q wins). For every point the
//! complex eigenvalues of J are computed (nalgebra's real Schur form) and the point is typed
//! ([`PointType`]).

#![allow(clippy::needless_range_loop)]

use super::field::VectorField;
use argmin::core::{CostFunction, Executor, Gradient};
use argmin::solver::linesearch::{condition::ArmijoCondition, BacktrackingLineSearch};
use argmin::solver::quasinewton::LBFGS;
use nalgebra::{DMatrix, DVector};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rustfft::num_complex::Complex;

/// Dynamical type of a fixed or slow point, from the real parts of its Jacobian eigenvalues
/// (continuous time: Re λ > 0 is unstable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PointType {
    /// All Re λ < 0, leading (largest Re) eigenvalue real.
    StableNode,
    /// All Re λ < 0, leading eigenvalue a complex pair (spiralling approach).
    StableFocus,
    /// k = `unstable_dim` eigenvalues with Re λ > 0 and at least one with Re λ ≤ 0;
    /// `oscillatory` if an unstable eigenvalue is complex (saddle-focus).
    Saddle {
        /// Number of unstable directions.
        unstable_dim: usize,
        /// True if the unstable subspace rotates (complex unstable eigenvalue).
        oscillatory: bool,
    },
    /// All Re λ > 0, leading eigenvalue real.
    UnstableNode,
    /// All Re λ > 0, leading (largest Re) eigenvalue complex: trajectories spiral out — the
    /// typical centre of a limit cycle.
    UnstableFocus,
}

impl PointType {
    /// Classify from eigenvalues; |Im λ| ≤ `imag_tol` counts as real.
    pub fn from_eigenvalues(eigs: &[Complex<f64>], imag_tol: f64) -> Self {
        let d = eigs.len();
        let unstable: Vec<&Complex<f64>> = eigs.iter().filter(|l| l.re > 0.0).collect();
        let leading = eigs
            .iter()
            .max_by(|a, b| a.re.total_cmp(&b.re))
            .copied()
            .unwrap_or(Complex::new(0.0, 0.0));
        let complex = leading.im.abs() > imag_tol;
        if unstable.is_empty() {
            if complex {
                PointType::StableFocus
            } else {
                PointType::StableNode
            }
        } else if unstable.len() == d {
            if complex {
                PointType::UnstableFocus
            } else {
                PointType::UnstableNode
            }
        } else {
            PointType::Saddle {
                unstable_dim: unstable.len(),
                oscillatory: unstable.iter().any(|l| l.im.abs() > imag_tol),
            }
        }
    }

    /// True for stable nodes and foci.
    pub fn is_stable(self) -> bool {
        matches!(self, PointType::StableNode | PointType::StableFocus)
    }

    /// Human-readable name, e.g. `stable focus`, `saddle(2)`, `saddle-focus(2)`.
    pub fn name(self) -> String {
        match self {
            PointType::StableNode => "stable node".into(),
            PointType::StableFocus => "stable focus".into(),
            PointType::Saddle {
                unstable_dim,
                oscillatory,
            } => {
                if oscillatory {
                    format!("saddle-focus({unstable_dim})")
                } else {
                    format!("saddle({unstable_dim})")
                }
            }
            PointType::UnstableNode => "unstable node".into(),
            PointType::UnstableFocus => "unstable focus".into(),
        }
    }
}

/// Whether a point is a true fixed point or a slow point (local minimum of q above tolerance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PointKind {
    /// q below [`FixedPointConfig::q_fixed`].
    Fixed,
    /// A local minimum of q with q above [`FixedPointConfig::q_fixed`].
    Slow,
}

/// One fixed or slow point.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalPoint {
    /// Location x*.
    pub x: Vec<f64>,
    /// q(x*) = ½‖F(x*)‖².
    pub q: f64,
    /// Speed ‖F(x*)‖ (units of state per τ).
    pub speed: f64,
    /// Fixed or slow.
    pub kind: PointKind,
    /// Eigenvalues of the Jacobian, sorted by decreasing real part (then decreasing imaginary part).
    pub eigenvalues: Vec<Complex<f64>>,
    /// Type from the eigenvalues.
    pub point_type: PointType,
    /// How many starts converged to this point.
    pub hits: usize,
}

impl CriticalPoint {
    /// The leading eigenvalue (largest real part).
    pub fn leading(&self) -> Complex<f64> {
        self.eigenvalues[0]
    }
}

/// Settings of [`find_critical_points`].
#[derive(Debug, Clone, PartialEq)]
pub struct FixedPointConfig {
    /// q tolerance below which a point is a fixed point (default 1e-14).
    pub q_fixed: f64,
    /// Largest q accepted for a slow point (default 1e-3).
    pub q_slow_max: f64,
    /// ‖∇q‖ tolerance for a local minimum of q (default 1e-9).
    pub grad_tol: f64,
    /// L-BFGS iteration limit per start (default 500).
    pub max_iters: u64,
    /// L-BFGS memory (default 10).
    pub memory: usize,
    /// Euclidean distance under which two points are merged (default 1e-4·√dim).
    pub dedup_dist: Option<f64>,
    /// Number of perturbed copies added per given start (default 1).
    pub perturbations_per_start: usize,
    /// Standard deviation of the Gaussian perturbations (default 0.05).
    pub perturbation_std: f64,
    /// Seed of the perturbation generator (ChaCha8).
    pub seed: u64,
    /// |Im λ| at or below this counts as real when typing (default 1e-9).
    pub imag_tol: f64,
}

impl Default for FixedPointConfig {
    fn default() -> Self {
        FixedPointConfig {
            q_fixed: 1e-14,
            q_slow_max: 1e-3,
            grad_tol: 1e-9,
            max_iters: 500,
            memory: 10,
            dedup_dist: None,
            perturbations_per_start: 1,
            perturbation_std: 0.05,
            seed: 0,
            imag_tol: 1e-9,
        }
    }
}

struct SpeedProblem<'a, V: VectorField + ?Sized> {
    field: &'a V,
    /// Best finite (q, x) evaluated so far: the result if the solver aborts.
    best: &'a std::cell::RefCell<(f64, Vec<f64>)>,
}

impl<V: VectorField + ?Sized> SpeedProblem<'_, V> {
    fn eval(&self, p: &DVector<f64>, g: &mut [f64]) -> Result<f64, argmin::core::Error> {
        // A non-finite trial point (e.g. from a degenerate quasi-Newton update when y·s = 0)
        // aborts the run instead of letting the line search loop on NaN.
        if p.iter().any(|v| !v.is_finite()) {
            return Err(argmin::core::Error::msg("non-finite trial point"));
        }
        let q = self.field.q_and_grad(p.as_slice(), g);
        if !q.is_finite() || g.iter().any(|v| !v.is_finite()) {
            return Err(argmin::core::Error::msg("non-finite objective"));
        }
        let mut b = self.best.borrow_mut();
        if q < b.0 {
            b.0 = q;
            b.1.clear();
            b.1.extend_from_slice(p.as_slice());
        }
        Ok(q)
    }
}

impl<V: VectorField + ?Sized> CostFunction for SpeedProblem<'_, V> {
    type Param = DVector<f64>;
    type Output = f64;
    fn cost(&self, p: &Self::Param) -> Result<f64, argmin::core::Error> {
        let mut g = vec![0.0; p.len()];
        self.eval(p, &mut g)
    }
}

impl<V: VectorField + ?Sized> Gradient for SpeedProblem<'_, V> {
    type Param = DVector<f64>;
    type Gradient = DVector<f64>;
    fn gradient(&self, p: &Self::Param) -> Result<DVector<f64>, argmin::core::Error> {
        let mut g = vec![0.0; p.len()];
        self.eval(p, &mut g)?;
        Ok(DVector::from_vec(g))
    }
}

/// Minimise q from `x0` with L-BFGS; returns the best point evaluated (the start itself if
/// nothing better was found). A run that meets a non-finite trial point stops there.
pub fn minimise_speed<V: VectorField + ?Sized>(
    field: &V,
    x0: &[f64],
    cfg: &FixedPointConfig,
) -> Vec<f64> {
    let best = std::cell::RefCell::new((f64::INFINITY, x0.to_vec()));
    let problem = SpeedProblem { field, best: &best };
    // Backtracking (Armijo, c = 1e-4, ρ = 0.5): as the step shrinks the Armijo condition
    // eventually holds for any finite descent direction.
    let Ok(cond) = ArmijoCondition::new(1e-4) else {
        return x0.to_vec();
    };
    let Ok(ls) = BacktrackingLineSearch::new(cond).rho(0.5) else {
        return x0.to_vec();
    };
    let solver = match LBFGS::new(ls, cfg.memory.max(1))
        .with_tolerance_grad(cfg.grad_tol * 1e-3)
        .and_then(|s| s.with_tolerance_cost(0.0))
    {
        Ok(s) => s,
        Err(_) => return x0.to_vec(),
    };
    // Whether the run ends normally or aborts on a non-finite point, the best point seen wins.
    let _ = Executor::new(problem, solver)
        .configure(|st| {
            st.param(DVector::from_column_slice(x0))
                .max_iters(cfg.max_iters)
        })
        .run();
    best.into_inner().1
}

/// Newton polishing of a near-fixed point: up to `iters` steps x ← x − J⁻¹F, each accepted
/// only if it lowers q. Returns the polished point and its q.
pub fn newton_polish<V: VectorField + ?Sized>(
    field: &V,
    x: &[f64],
    iters: usize,
) -> (Vec<f64>, f64) {
    let d = field.dim();
    let mut x = x.to_vec();
    let mut f = vec![0.0; d];
    field.eval(&x, &mut f);
    let mut q = 0.5 * f.iter().map(|v| v * v).sum::<f64>();
    for _ in 0..iters {
        if q == 0.0 {
            break;
        }
        let j = field.jacobian_matrix(&x);
        let Some(step) = j.lu().solve(&DVector::from_column_slice(&f)) else {
            break;
        };
        let cand: Vec<f64> = x.iter().zip(step.iter()).map(|(a, s)| a - s).collect();
        let mut fc = vec![0.0; d];
        field.eval(&cand, &mut fc);
        let qc = 0.5 * fc.iter().map(|v| v * v).sum::<f64>();
        if qc.is_finite() && qc < q {
            x = cand;
            f = fc;
            q = qc;
        } else {
            break;
        }
    }
    (x, q)
}

/// Eigenvalues of the Jacobian of `field` at `x`, sorted by decreasing real part, then
/// decreasing imaginary part.
///
/// The real Schur form is computed with machine-epsilon deflation and at most 30·dim QR
/// sweeps (unbounded, the iteration can stall on clustered eigenvalues, such as the many
/// equal −1 of a low-rank network's full Jacobian); if that fails,
/// [`eigenvalues_bounded`](super::orbits::eigenvalues_bounded) takes over.
pub fn jacobian_eigenvalues<V: VectorField + ?Sized>(
    field: &V,
    x: &[f64],
) -> crate::Result<Vec<Complex<f64>>> {
    let j: DMatrix<f64> = field.jacobian_matrix(x);
    let n = j.nrows();
    let mut e: Vec<Complex<f64>> =
        match nalgebra::linalg::Schur::try_new(j.clone(), f64::EPSILON, 30 * n.max(10)) {
            Some(s) => s.complex_eigenvalues().iter().copied().collect(),
            None => super::orbits::eigenvalues_bounded(&j)?,
        };
    e.sort_by(|a, b| b.re.total_cmp(&a.re).then(b.im.total_cmp(&a.im)));
    Ok(e)
}

/// Build the start list: every given start, then `perturbations_per_start` perturbed copies of
/// each (x + σ·ξ, ξ ~ N(0, I) from ChaCha8 seeded with `cfg.seed`, drawn in start order).
pub fn with_perturbations(starts: &[Vec<f64>], cfg: &FixedPointConfig) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut out: Vec<Vec<f64>> = starts.to_vec();
    for s in starts {
        for _ in 0..cfg.perturbations_per_start {
            let p: Vec<f64> = s
                .iter()
                .map(|v| {
                    v + cfg.perturbation_std * rng.sample::<f64, _>(rand_distr::StandardNormal)
                })
                .collect();
            out.push(p);
        }
    }
    out
}

/// Find the fixed and slow points of `field` reachable by minimising q from `starts`
/// (perturbed copies are added, see [`with_perturbations`]). Starts run in parallel (rayon);
/// the result is independent of the thread count. Points are returned fixed points first,
/// each group sorted by q.
pub fn find_critical_points<V: VectorField + ?Sized>(
    field: &V,
    starts: &[Vec<f64>],
    cfg: &FixedPointConfig,
) -> crate::Result<Vec<CriticalPoint>> {
    let d = field.dim();
    if starts.is_empty() {
        return Err(crate::Error::invalid("starts", "no starting points given"));
    }
    if let Some(s) = starts
        .iter()
        .find(|s| s.len() != d || s.iter().any(|v| !v.is_finite()))
    {
        return Err(crate::Error::invalid(
            "starts",
            format!(
                "a start has {} finite-checked entries, the field has dim {d}",
                s.len()
            ),
        ));
    }
    let all = with_perturbations(starts, cfg);
    let cands: Vec<(Vec<f64>, f64, f64)> = all
        .par_iter()
        .map(|x0| {
            let x = minimise_speed(field, x0, cfg);
            let (x, q) = newton_polish(field, &x, 8);
            let mut g = vec![0.0; d];
            field.q_and_grad(&x, &mut g);
            let gn = g.iter().map(|v| v * v).sum::<f64>().sqrt();
            (x, q, gn)
        })
        .collect();
    let dedup = cfg.dedup_dist.unwrap_or(1e-4 * (d as f64).sqrt());
    let mut accepted: Vec<(Vec<f64>, f64, PointKind)> = cands
        .into_iter()
        .filter_map(|(x, q, gn)| {
            if !q.is_finite() {
                None
            } else if q <= cfg.q_fixed {
                Some((x, q, PointKind::Fixed))
            } else if q <= cfg.q_slow_max && gn <= cfg.grad_tol {
                Some((x, q, PointKind::Slow))
            } else {
                None
            }
        })
        .collect();
    // Stable order: by kind (fixed first), then q, then coordinates.
    accepted.sort_by(|a, b| {
        (a.2 == PointKind::Slow)
            .cmp(&(b.2 == PointKind::Slow))
            .then(a.1.total_cmp(&b.1))
            .then_with(|| {
                a.0.iter()
                    .zip(&b.0)
                    .map(|(u, v)| u.total_cmp(v))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    });
    let mut kept: Vec<(Vec<f64>, f64, PointKind, usize)> = Vec::new();
    for (x, q, kind) in accepted {
        let near = kept.iter_mut().find(|k| {
            k.0.iter()
                .zip(&x)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                .sqrt()
                <= dedup
        });
        match near {
            Some(k) => k.3 += 1,
            None => kept.push((x, q, kind, 1)),
        }
    }
    kept.into_iter()
        .map(|(x, q, kind, hits)| {
            let eigenvalues = jacobian_eigenvalues(field, &x)?;
            let point_type = PointType::from_eigenvalues(&eigenvalues, cfg.imag_tol);
            Ok(CriticalPoint {
                speed: (2.0 * q).sqrt(),
                x,
                q,
                kind,
                eigenvalues,
                point_type,
                hits,
            })
        })
        .collect()
}

/// Starting points sampled from a trajectory (rows of a T × dim row-major matrix): every
/// `stride`-th row, at most `max_starts` of them, evenly spread.
pub fn starts_from_trajectory(traj: &[f64], dim: usize, max_starts: usize) -> Vec<Vec<f64>> {
    if dim == 0 || max_starts == 0 {
        return Vec::new();
    }
    let t = traj.len() / dim;
    if t == 0 {
        return Vec::new();
    }
    let k = max_starts.min(t);
    (0..k)
        .map(|i| {
            let row = if k == 1 { t - 1 } else { i * (t - 1) / (k - 1) };
            traj[row * dim..(row + 1) * dim].to_vec()
        })
        .collect()
}
