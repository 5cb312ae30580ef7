//! Levenberg–Marquardt nonlinear least squares: a port of MINPACK `lmdif` (with `fdjac2`,
//! `qrfac`, `lmpar`, `qrsolv`, `enorm`), the algorithm behind scipy's `curve_fit(method="lm")`
//! (docs/fits.md, "Optimiser").
//!
//! The port keeps MINPACK's control flow and constants: forward-difference Jacobian with step
//! `h = sqrt(max(epsfcn, eps_mach)) |x_j|` (or `sqrt(epsfcn)` when `x_j = 0`), column scaling
//! `diag` initialised from the Jacobian column norms and updated as a running maximum, the
//! trust-region bound `delta = factor * |diag * x|`, and the Moré (1978) `lmpar` iteration for the
//! Levenberg–Marquardt parameter. Matrices are dense and column-major; the intended sizes are a
//! handful of parameters and up to a few thousand residuals.
//!
//! The covariance is scipy's `pcov`: `inv(R^T R) * SSE / (m - n)`, where `R` is the (permuted)
//! triangular factor of the last Jacobian that `lmdif` factorised, i.e. `inv(J^T J) s^2`.

use crate::{Error, Result};

/// Machine epsilon (MINPACK `dpmpar(1)`).
const EPSMCH: f64 = f64::EPSILON;
/// Smallest positive normal number (MINPACK `dpmpar(2)`).
const DWARF: f64 = f64::MIN_POSITIVE;

/// Options of [`lmdif`], defaulting to scipy `curve_fit` / `leastsq`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LmOptions {
    /// Relative tolerance on the sum of squares (`ftol`, default 1.49012e-8).
    pub ftol: f64,
    /// Relative tolerance on the scaled parameter step (`xtol`, default 1.49012e-8).
    pub xtol: f64,
    /// Tolerance on the cosine between residuals and Jacobian columns (`gtol`, default 0).
    pub gtol: f64,
    /// Maximum number of function evaluations; `None` means `200 (n + 1)` (scipy's default).
    pub maxfev: Option<usize>,
    /// Relative error of the function values used for the finite-difference step
    /// (`epsfcn`; default machine epsilon, so the step is `sqrt(eps) |x_j|`).
    pub epsfcn: f64,
    /// Initial step bound factor (`factor`, default 100).
    pub factor: f64,
}

impl Default for LmOptions {
    fn default() -> Self {
        LmOptions {
            ftol: 1.49012e-8,
            xtol: 1.49012e-8,
            gtol: 0.0,
            maxfev: None,
            epsfcn: EPSMCH,
            factor: 100.0,
        }
    }
}

/// MINPACK termination code (`info`) of [`lmdif`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LmStatus {
    /// 1: both actual and predicted relative reductions of the sum of squares are at most `ftol`.
    Ftol,
    /// 2: relative error between two consecutive iterates is at most `xtol`.
    Xtol,
    /// 3: conditions 1 and 2 both hold.
    FtolXtol,
    /// 4: the residual vector is orthogonal to the Jacobian columns to within `gtol`.
    Gtol,
    /// 5: the number of function evaluations reached `maxfev`.
    MaxFev,
    /// 6: `ftol` is too small; no further reduction of the sum of squares is possible.
    FtolTooSmall,
    /// 7: `xtol` is too small; no further improvement of the solution is possible.
    XtolTooSmall,
    /// 8: `gtol` is too small; the residuals are orthogonal to the Jacobian to machine precision.
    GtolTooSmall,
}

impl LmStatus {
    /// MINPACK's integer code (1..=8).
    pub fn code(self) -> i32 {
        match self {
            LmStatus::Ftol => 1,
            LmStatus::Xtol => 2,
            LmStatus::FtolXtol => 3,
            LmStatus::Gtol => 4,
            LmStatus::MaxFev => 5,
            LmStatus::FtolTooSmall => 6,
            LmStatus::XtolTooSmall => 7,
            LmStatus::GtolTooSmall => 8,
        }
    }

    /// True for codes 1–4, which scipy's `curve_fit` accepts as converged.
    pub fn converged(self) -> bool {
        self.code() <= 4
    }

    fn from_code(c: i32) -> Self {
        match c {
            1 => LmStatus::Ftol,
            2 => LmStatus::Xtol,
            3 => LmStatus::FtolXtol,
            4 => LmStatus::Gtol,
            5 => LmStatus::MaxFev,
            6 => LmStatus::FtolTooSmall,
            7 => LmStatus::XtolTooSmall,
            _ => LmStatus::GtolTooSmall,
        }
    }
}

/// Why a least-squares fit returned no parameters: the typed cause carried by
/// [`Error::Fit`] and by a failed row of a scaling analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FitError {
    /// MINPACK stopped with a status other than 1–4 (scipy: "optimal parameters not found").
    #[error("optimal parameters not found (MINPACK status {} after {nfev} evaluations)", status.code())]
    NotConverged {
        /// The termination status.
        status: LmStatus,
        /// Residual evaluations used.
        nfev: usize,
    },
    /// The residuals at the starting point are NaN or infinite.
    #[error("residuals at the starting point are not finite (NaN or infinite data or model)")]
    NonFiniteStart,
}

/// Result of a Levenberg–Marquardt fit.
#[derive(Debug, Clone, PartialEq)]
pub struct LmResult {
    /// Final parameters.
    pub params: Vec<f64>,
    /// scipy's `pcov = inv(J^T J) * SSE / (m - n)` (row-major `n x n`); `None` when `J^T J` is
    /// singular or `m <= n` (scipy then returns an infinite matrix).
    pub pcov: Option<Vec<Vec<f64>>>,
    /// Residual vector at the final parameters.
    pub fvec: Vec<f64>,
    /// Sum of squared residuals at the final parameters.
    pub sse: f64,
    /// Number of residual-function evaluations (Jacobian columns included).
    pub nfev: usize,
    /// MINPACK termination code.
    pub status: LmStatus,
}

impl LmResult {
    /// Standard errors `sqrt(diag(pcov))`, if the covariance exists.
    pub fn std_errors(&self) -> Option<Vec<f64>> {
        self.pcov
            .as_ref()
            .map(|c| (0..c.len()).map(|i| c[i][i].sqrt()).collect())
    }
}

/// MINPACK `enorm`: Euclidean norm with protection against overflow and underflow.
pub fn enorm(x: &[f64]) -> f64 {
    const RDWARF: f64 = 3.834e-20;
    const RGIANT: f64 = 1.304e19;
    let (mut s1, mut s2, mut s3) = (0.0f64, 0.0f64, 0.0f64);
    let (mut x1max, mut x3max) = (0.0f64, 0.0f64);
    let agiant = RGIANT / x.len().max(1) as f64;
    for &xi in x {
        let xabs = xi.abs();
        if xabs > RDWARF && xabs < agiant {
            s2 += xabs * xabs;
        } else if xabs <= RDWARF {
            if xabs > x3max {
                s3 = 1.0 + s3 * (x3max / xabs) * (x3max / xabs);
                x3max = xabs;
            } else if xabs != 0.0 {
                s3 += (xabs / x3max) * (xabs / x3max);
            }
        } else if xabs > x1max {
            s1 = 1.0 + s1 * (x1max / xabs) * (x1max / xabs);
            x1max = xabs;
        } else {
            s1 += (xabs / x1max) * (xabs / x1max);
        }
    }
    if s1 != 0.0 {
        x1max * (s1 + (s2 / x1max) / x1max).sqrt()
    } else if s2 != 0.0 {
        if s2 >= x3max {
            (s2 * (1.0 + (x3max / s2) * (x3max * s3))).sqrt()
        } else {
            (x3max * ((s2 / x3max) + (x3max * s3))).sqrt()
        }
    } else {
        x3max * s3.sqrt()
    }
}

/// MINPACK `qrfac` with column pivoting on the column-major `m x n` matrix `a` (leading
/// dimension `m`). On return the upper triangle of `a` holds `R` except its diagonal, which is
/// in `rdiag`; `acnorm` holds the column norms of the input; `ipvt` the permutation (0-based).
fn qrfac(
    m: usize,
    n: usize,
    a: &mut [f64],
    ipvt: &mut [usize],
    rdiag: &mut [f64],
    acnorm: &mut [f64],
    wa: &mut [f64],
) {
    for j in 0..n {
        acnorm[j] = enorm(&a[j * m..j * m + m]);
        rdiag[j] = acnorm[j];
        wa[j] = rdiag[j];
        ipvt[j] = j;
    }
    let minmn = m.min(n);
    for j in 0..minmn {
        // Bring the column of largest norm into the pivot position.
        let mut kmax = j;
        for k in j..n {
            if rdiag[k] > rdiag[kmax] {
                kmax = k;
            }
        }
        if kmax != j {
            for i in 0..m {
                a.swap(i + j * m, i + kmax * m);
            }
            rdiag[kmax] = rdiag[j];
            wa[kmax] = wa[j];
            ipvt.swap(j, kmax);
        }
        // Householder transformation reducing column j to a multiple of e_j.
        let mut ajnorm = enorm(&a[j + j * m..j * m + m]);
        if ajnorm != 0.0 {
            if a[j + j * m] < 0.0 {
                ajnorm = -ajnorm;
            }
            for i in j..m {
                a[i + j * m] /= ajnorm;
            }
            a[j + j * m] += 1.0;
            for k in (j + 1)..n {
                let mut sum = 0.0;
                for i in j..m {
                    sum += a[i + j * m] * a[i + k * m];
                }
                let temp = sum / a[j + j * m];
                for i in j..m {
                    a[i + k * m] -= temp * a[i + j * m];
                }
                if rdiag[k] != 0.0 {
                    let temp = a[j + k * m] / rdiag[k];
                    rdiag[k] *= (1.0 - temp * temp).max(0.0).sqrt();
                    if 0.05 * (rdiag[k] / wa[k]).powi(2) <= EPSMCH {
                        rdiag[k] = enorm(&a[(j + 1) + k * m..k * m + m]);
                        wa[k] = rdiag[k];
                    }
                }
            }
        }
        rdiag[j] = -ajnorm;
    }
}

/// MINPACK `qrsolv`: solve `min |(A; D) x - (b; 0)|` given the QR factors of `A P` in `r`
/// (leading dimension `ldr`), the permutation, the diagonal `diag` and `qtb = Q^T b`.
/// The strict lower triangle of `r` receives `S^T`; `sdiag` the diagonal of `S`.
#[allow(clippy::too_many_arguments)]
fn qrsolv(
    n: usize,
    r: &mut [f64],
    ldr: usize,
    ipvt: &[usize],
    diag: &[f64],
    qtb: &[f64],
    x: &mut [f64],
    sdiag: &mut [f64],
    wa: &mut [f64],
) {
    for j in 0..n {
        for i in j..n {
            r[i + j * ldr] = r[j + i * ldr];
        }
        x[j] = r[j + j * ldr];
        wa[j] = qtb[j];
    }
    for j in 0..n {
        let l = ipvt[j];
        if diag[l] != 0.0 {
            for s in sdiag.iter_mut().take(n).skip(j) {
                *s = 0.0;
            }
            sdiag[j] = diag[l];
            let mut qtbpj = 0.0;
            for k in j..n {
                if sdiag[k] == 0.0 {
                    continue;
                }
                let rkk = r[k + k * ldr];
                let (sin, cos);
                if rkk.abs() < sdiag[k].abs() {
                    let cotan = rkk / sdiag[k];
                    sin = 0.5 / (0.25 + 0.25 * cotan * cotan).sqrt();
                    cos = sin * cotan;
                } else {
                    let tan = sdiag[k] / rkk;
                    cos = 0.5 / (0.25 + 0.25 * tan * tan).sqrt();
                    sin = cos * tan;
                }
                r[k + k * ldr] = cos * rkk + sin * sdiag[k];
                let temp = cos * wa[k] + sin * qtbpj;
                qtbpj = -sin * wa[k] + cos * qtbpj;
                wa[k] = temp;
                for i in (k + 1)..n {
                    let temp = cos * r[i + k * ldr] + sin * sdiag[i];
                    sdiag[i] = -sin * r[i + k * ldr] + cos * sdiag[i];
                    r[i + k * ldr] = temp;
                }
            }
        }
        sdiag[j] = r[j + j * ldr];
        r[j + j * ldr] = x[j];
    }
    let mut nsing = n;
    for j in 0..n {
        if sdiag[j] == 0.0 && nsing == n {
            nsing = j;
        }
        if nsing < n {
            wa[j] = 0.0;
        }
    }
    for j in (0..nsing).rev() {
        let mut sum = 0.0;
        for i in (j + 1)..nsing {
            sum += r[i + j * ldr] * wa[i];
        }
        wa[j] = (wa[j] - sum) / sdiag[j];
    }
    for j in 0..n {
        x[ipvt[j]] = wa[j];
    }
}

/// MINPACK `lmpar`: determine the Levenberg–Marquardt parameter `par` such that the step
/// `x` solving `(J^T J + par D^2) x = -J^T f` satisfies `|D x| ≈ delta` (within 10 %), or
/// `par = 0` if the Gauss–Newton step is already inside the trust region. Returns `x` in `x`.
#[allow(clippy::too_many_arguments)]
fn lmpar(
    n: usize,
    r: &mut [f64],
    ldr: usize,
    ipvt: &[usize],
    diag: &[f64],
    qtb: &[f64],
    delta: f64,
    par: &mut f64,
    x: &mut [f64],
    sdiag: &mut [f64],
    wa1: &mut [f64],
    wa2: &mut [f64],
) {
    // Gauss–Newton direction (least-squares solution if rank deficient).
    let mut nsing = n;
    for j in 0..n {
        wa1[j] = qtb[j];
        if r[j + j * ldr] == 0.0 && nsing == n {
            nsing = j;
        }
        if nsing < n {
            wa1[j] = 0.0;
        }
    }
    for j in (0..nsing).rev() {
        wa1[j] /= r[j + j * ldr];
        let temp = wa1[j];
        for i in 0..j {
            wa1[i] -= r[i + j * ldr] * temp;
        }
    }
    for j in 0..n {
        x[ipvt[j]] = wa1[j];
    }
    let mut iter = 0;
    for j in 0..n {
        wa2[j] = diag[j] * x[j];
    }
    let mut dxnorm = enorm(&wa2[..n]);
    let mut fp = dxnorm - delta;
    if fp <= 0.1 * delta {
        *par = 0.0;
        return;
    }
    // Lower bound parl from the Newton step (zero if rank deficient).
    let mut parl = 0.0;
    if nsing >= n {
        for j in 0..n {
            let l = ipvt[j];
            wa1[j] = diag[l] * (wa2[l] / dxnorm);
        }
        for j in 0..n {
            let mut sum = 0.0;
            for i in 0..j {
                sum += r[i + j * ldr] * wa1[i];
            }
            wa1[j] = (wa1[j] - sum) / r[j + j * ldr];
        }
        let temp = enorm(&wa1[..n]);
        parl = ((fp / delta) / temp) / temp;
    }
    // Upper bound paru.
    for j in 0..n {
        let mut sum = 0.0;
        for i in 0..=j {
            sum += r[i + j * ldr] * qtb[i];
        }
        wa1[j] = sum / diag[ipvt[j]];
    }
    let gnorm = enorm(&wa1[..n]);
    let mut paru = gnorm / delta;
    if paru == 0.0 {
        paru = DWARF / delta.min(0.1);
    }
    *par = par.max(parl);
    *par = par.min(paru);
    if *par == 0.0 {
        *par = gnorm / dxnorm;
    }
    loop {
        iter += 1;
        if *par == 0.0 {
            *par = DWARF.max(0.001 * paru);
        }
        let temp = par.sqrt();
        for j in 0..n {
            wa1[j] = temp * diag[j];
        }
        qrsolv(n, r, ldr, ipvt, &wa1[..n], qtb, x, sdiag, wa2);
        for j in 0..n {
            wa2[j] = diag[j] * x[j];
        }
        dxnorm = enorm(&wa2[..n]);
        let temp = fp;
        fp = dxnorm - delta;
        if fp.abs() <= 0.1 * delta || (parl == 0.0 && fp <= temp && temp < 0.0) || iter == 10 {
            break;
        }
        // Newton correction.
        for j in 0..n {
            let l = ipvt[j];
            wa1[j] = diag[l] * (wa2[l] / dxnorm);
        }
        for j in 0..n {
            wa1[j] /= sdiag[j];
            let temp = wa1[j];
            for i in (j + 1)..n {
                wa1[i] -= r[i + j * ldr] * temp;
            }
        }
        let temp = enorm(&wa1[..n]);
        let parc = ((fp / delta) / temp) / temp;
        if fp > 0.0 {
            parl = parl.max(*par);
        }
        if fp < 0.0 {
            paru = paru.min(*par);
        }
        *par = parl.max(*par + parc);
    }
}

/// Minimise `sum_i f_i(x)^2` by MINPACK `lmdif` (mode 1: automatic column scaling).
///
/// `fcn(x, fvec)` writes the `m` residuals at `x` into `fvec`. Returns an error if `m < n`,
/// `x0` is empty or not finite, the options are invalid, or the residuals at `x0` are not
/// finite. Non-finite residuals at trial points are treated as a failed step (the trust region
/// shrinks). The result carries the MINPACK status; callers decide whether a non-converged
/// status (5–8) is an error ([`curve_fit`] follows scipy and rejects it).
pub fn lmdif<F>(mut fcn: F, x0: &[f64], m: usize, opts: &LmOptions) -> Result<LmResult>
where
    F: FnMut(&[f64], &mut [f64]),
{
    let n = x0.len();
    if n == 0 {
        return Err(Error::invalid("p0", "no parameters to fit"));
    }
    if m < n {
        return Err(Error::invalid(
            "data",
            format!("{m} residuals cannot determine {n} parameters"),
        ));
    }
    if x0.iter().any(|v| !v.is_finite()) {
        return Err(Error::invalid("p0", format!("must be finite, got {x0:?}")));
    }
    if !(opts.ftol >= 0.0 && opts.xtol >= 0.0 && opts.gtol >= 0.0 && opts.factor > 0.0) {
        return Err(Error::invalid(
            "tolerances",
            "ftol, xtol, gtol must be >= 0 and factor > 0",
        ));
    }
    let maxfev = opts.maxfev.unwrap_or(200 * (n + 1));
    if maxfev == 0 {
        return Err(Error::invalid("maxfev", "must be positive"));
    }
    let mut x = x0.to_vec();
    let mut fvec = vec![0.0; m];
    fcn(&x, &mut fvec);
    let mut nfev = 1usize;
    if fvec.iter().any(|v| !v.is_finite()) {
        return Err(Error::Fit {
            context: "Levenberg-Marquardt".into(),
            source: FitError::NonFiniteStart,
        });
    }
    let mut fnorm = enorm(&fvec);

    let mut fjac = vec![0.0; m * n];
    let mut diag = vec![0.0; n];
    let mut ipvt = vec![0usize; n];
    let mut qtf = vec![0.0; n];
    let (mut wa1, mut wa2, mut wa3) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut wa4 = vec![0.0; m];
    let eps = opts.epsfcn.max(EPSMCH).sqrt();

    let mut par = 0.0;
    let mut iter = 1usize;
    let mut delta = 0.0;
    let mut xnorm = 0.0;
    let info: i32;
    // Copy of the R factor of the last Jacobian (for the covariance).
    let mut r_last: Vec<f64> = vec![0.0; n * n];
    let mut ipvt_last = vec![0usize; n];

    'outer: loop {
        // Forward-difference Jacobian (fdjac2).
        for j in 0..n {
            let temp = x[j];
            let mut h = eps * temp.abs();
            if h == 0.0 {
                h = eps;
            }
            x[j] = temp + h;
            fcn(&x, &mut wa4);
            x[j] = temp;
            for i in 0..m {
                fjac[i + j * m] = (wa4[i] - fvec[i]) / h;
            }
        }
        nfev += n;
        // QR factorisation of the Jacobian.
        qrfac(m, n, &mut fjac, &mut ipvt, &mut wa1, &mut wa2, &mut wa3);
        if iter == 1 {
            for j in 0..n {
                diag[j] = if wa2[j] == 0.0 { 1.0 } else { wa2[j] };
            }
            for j in 0..n {
                wa3[j] = diag[j] * x[j];
            }
            xnorm = enorm(&wa3);
            delta = opts.factor * xnorm;
            if delta == 0.0 {
                delta = opts.factor;
            }
        }
        // qtf = first n components of Q^T fvec.
        wa4.copy_from_slice(&fvec);
        for j in 0..n {
            if fjac[j + j * m] != 0.0 {
                let mut sum = 0.0;
                for i in j..m {
                    sum += fjac[i + j * m] * wa4[i];
                }
                let temp = -sum / fjac[j + j * m];
                for i in j..m {
                    wa4[i] += fjac[i + j * m] * temp;
                }
            }
            fjac[j + j * m] = wa1[j];
            qtf[j] = wa4[j];
        }
        for j in 0..n {
            for i in 0..n {
                r_last[i + j * n] = if i <= j { fjac[i + j * m] } else { 0.0 };
            }
        }
        ipvt_last.copy_from_slice(&ipvt);
        // Norm of the scaled gradient.
        let mut gnorm: f64 = 0.0;
        if fnorm != 0.0 {
            for j in 0..n {
                let l = ipvt[j];
                if wa2[l] != 0.0 {
                    let mut sum = 0.0;
                    for i in 0..=j {
                        sum += fjac[i + j * m] * (qtf[i] / fnorm);
                    }
                    gnorm = gnorm.max((sum / wa2[l]).abs());
                }
            }
        }
        if gnorm <= opts.gtol {
            info = 4;
            break 'outer;
        }
        for j in 0..n {
            diag[j] = diag[j].max(wa2[j]);
        }
        // Inner loop.
        loop {
            lmpar(
                n, &mut fjac, m, &ipvt, &diag, &qtf, delta, &mut par, &mut wa1, &mut wa2, &mut wa3,
                &mut wa4,
            );
            for j in 0..n {
                wa1[j] = -wa1[j];
                wa2[j] = x[j] + wa1[j];
                wa3[j] = diag[j] * wa1[j];
            }
            let pnorm = enorm(&wa3);
            if iter == 1 {
                delta = delta.min(pnorm);
            }
            fcn(&wa2, &mut wa4);
            nfev += 1;
            let fnorm1 = enorm(&wa4);
            let mut actred = -1.0;
            if 0.1 * fnorm1 < fnorm {
                actred = 1.0 - (fnorm1 / fnorm).powi(2);
            }
            for j in 0..n {
                wa3[j] = 0.0;
                let temp = wa1[ipvt[j]];
                for i in 0..=j {
                    wa3[i] += fjac[i + j * m] * temp;
                }
            }
            let temp1 = enorm(&wa3) / fnorm;
            let temp2 = (par.sqrt() * pnorm) / fnorm;
            let prered = temp1 * temp1 + temp2 * temp2 / 0.5;
            let dirder = -(temp1 * temp1 + temp2 * temp2);
            let ratio = if prered != 0.0 { actred / prered } else { 0.0 };
            if ratio <= 0.25 {
                let mut temp = if actred >= 0.0 {
                    0.5
                } else {
                    0.5 * dirder / (dirder + 0.5 * actred)
                };
                // A NaN trial residual counts as a failed step.
                if 0.1 * fnorm1 >= fnorm || fnorm1.is_nan() || temp < 0.1 {
                    temp = 0.1;
                }
                delta = temp * delta.min(pnorm / 0.1);
                par /= temp;
            } else if par == 0.0 || ratio >= 0.75 {
                delta = pnorm / 0.5;
                par *= 0.5;
            }
            if ratio >= 1e-4 {
                for j in 0..n {
                    x[j] = wa2[j];
                    wa2[j] = diag[j] * x[j];
                }
                fvec.copy_from_slice(&wa4);
                xnorm = enorm(&wa2);
                fnorm = fnorm1;
                iter += 1;
            }
            let mut code = 0;
            if actred.abs() <= opts.ftol && prered <= opts.ftol && 0.5 * ratio <= 1.0 {
                code = 1;
            }
            if delta <= opts.xtol * xnorm {
                code = 2;
            }
            if actred.abs() <= opts.ftol && prered <= opts.ftol && 0.5 * ratio <= 1.0 && code == 2 {
                code = 3;
            }
            if code != 0 {
                info = code;
                break 'outer;
            }
            if nfev >= maxfev {
                code = 5;
            }
            if actred.abs() <= EPSMCH && prered <= EPSMCH && 0.5 * ratio <= 1.0 {
                code = 6;
            }
            if delta <= EPSMCH * xnorm {
                code = 7;
            }
            if gnorm <= EPSMCH {
                code = 8;
            }
            if code != 0 {
                info = code;
                break 'outer;
            }
            if ratio >= 1e-4 {
                break;
            }
        }
    }

    let sse: f64 = fvec.iter().map(|v| v * v).sum();
    let pcov = covariance(&r_last, &ipvt_last, n, m, sse);
    Ok(LmResult {
        params: x,
        pcov,
        fvec,
        sse,
        nfev,
        status: LmStatus::from_code(info),
    })
}

/// `inv(R^T R) * sse / (m - n)` with `J P = Q R` un-permuted back to parameter order.
fn covariance(r: &[f64], ipvt: &[usize], n: usize, m: usize, sse: f64) -> Option<Vec<Vec<f64>>> {
    if m <= n {
        return None;
    }
    // Rfull has column ipvt[k] equal to column k of r, so Rfull^T Rfull = J^T J.
    let mut rf = nalgebra::DMatrix::<f64>::zeros(n, n);
    for k in 0..n {
        for i in 0..n {
            rf[(i, ipvt[k])] = r[i + k * n];
        }
    }
    let jtj = rf.transpose() * &rf;
    let inv = jtj.try_inverse()?;
    let s2 = sse / (m - n) as f64;
    let out: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| inv[(i, j)] * s2).collect())
        .collect();
    if out.iter().flatten().all(|v| v.is_finite()) {
        Some(out)
    } else {
        None
    }
}

/// Fit `y ≈ model(x, p)` by [`lmdif`] from `p0`, as scipy's `curve_fit(method="lm")`.
///
/// Data must be finite and of equal length (NaN → error, as scipy's `check_finite`). Like
/// scipy, a MINPACK status other than 1–4 is an error ("optimal parameters not found").
pub fn curve_fit<M>(
    model: M,
    xdata: &[f64],
    ydata: &[f64],
    p0: &[f64],
    opts: &LmOptions,
) -> Result<LmResult>
where
    M: Fn(f64, &[f64]) -> f64,
{
    if xdata.len() != ydata.len() {
        return Err(Error::invalid(
            "data",
            format!("x has {} values but y has {}", xdata.len(), ydata.len()),
        ));
    }
    if let Some(i) = xdata
        .iter()
        .zip(ydata)
        .position(|(a, b)| !a.is_finite() || !b.is_finite())
    {
        return Err(Error::invalid(
            "data",
            format!("point {i} ({}, {}) is not finite", xdata[i], ydata[i]),
        ));
    }
    let res = lmdif(
        |p, f| {
            for i in 0..xdata.len() {
                f[i] = model(xdata[i], p) - ydata[i];
            }
        },
        p0,
        xdata.len(),
        opts,
    )?;
    if !res.status.converged() {
        return Err(Error::Fit {
            context: "curve fit".into(),
            source: FitError::NotConverged {
                status: res.status,
                nfev: res.nfev,
            },
        });
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enorm_matches_plain_norm_and_survives_extremes() {
        assert!((enorm(&[3.0, 4.0]) - 5.0).abs() < 1e-15);
        assert!((enorm(&[3e200, 4e200]) - 5e200).abs() / 5e200 < 1e-15);
        assert!((enorm(&[3e-200, 4e-200]) - 5e-200).abs() / 5e-200 < 1e-15);
        assert_eq!(enorm(&[]), 0.0);
    }

    #[test]
    fn linear_least_squares_is_exact() {
        // y = 2 + 3x with residuals: LM on a linear model must hit the OLS solution.
        let x = [0.0, 1.0, 2.0, 3.0, 4.0];
        let y = [2.1, 4.9, 8.2, 10.8, 14.1];
        let r = curve_fit(
            |t, p| p[0] + p[1] * t,
            &x,
            &y,
            &[1.0, 1.0],
            &Default::default(),
        )
        .unwrap();
        // OLS closed form.
        let n = 5.0;
        let mx = x.iter().sum::<f64>() / n;
        let my = y.iter().sum::<f64>() / n;
        let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
        let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let b = sxy / sxx;
        assert!((r.params[1] - b).abs() < 1e-7, "{:?}", r.params);
        assert!((r.params[0] - (my - b * mx)).abs() < 1e-7);
        // pcov slope variance = s^2 / sxx.
        let s2 = r.sse / 3.0;
        let c = r.pcov.unwrap();
        assert!((c[1][1] - s2 / sxx).abs() / (s2 / sxx) < 1e-6);
    }
}
