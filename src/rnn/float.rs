//! The floating-point abstraction of the trainer: training runs in `f32` (as the reference),
//! gradient checks and the `--precision f64` debug mode in `f64` (docs/decisions.md, "Precision").

use super::kernels::{self, multiversion};
use std::fmt::{Debug, Display};
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

/// A real scalar usable by the RNN models and trainers (`f32` or `f64`).
///
/// Besides arithmetic it provides the kernels the trainer needs: `tanh` over a slice, the
/// logistic sigmoid and a dense matrix product. For `f32` these are this crate's own
/// (bit-identical on every CPU, see [`crate::rnn::kernels`]); for `f64` (gradient checks,
/// the `--precision f64` debug mode) the standard library's functions and
/// `matrixmultiply`'s `dgemm`.
pub trait Float:
    Copy
    + Send
    + Sync
    + Default
    + Debug
    + Display
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + 'static
{
    /// Type name as used by `--precision` (`"f32"` / `"f64"`).
    const NAME: &'static str;
    /// 0.
    fn zero() -> Self;
    /// 1.
    fn one() -> Self;
    /// Conversion from `f64` (rounding to nearest for `f32`).
    fn from_f64(x: f64) -> Self;
    /// Conversion from `f32` (exact).
    fn from_f32(x: f32) -> Self;
    /// Conversion to `f64` (exact).
    fn to_f64(self) -> f64;
    /// Conversion to `f32` (rounding to nearest for `f64`).
    fn to_f32(self) -> f32;
    /// Hyperbolic tangent (`f32`: [`tanh_f32`]; `f64`: the standard library's).
    fn tanh(self) -> Self;
    /// Exponential.
    fn exp(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// True for NaN.
    fn is_nan(self) -> bool;
    /// Logistic sigmoid 1/(1 + exp(−x)) (`f32`: [`sigmoid_f32`]).
    fn sigmoid(self) -> Self {
        Self::one() / (Self::one() + (-self).exp())
    }
    /// In-place `tanh` of every element of `xs` (`f32`: [`tanh_f32`], vectorised).
    fn tanh_slice(xs: &mut [Self]);
    /// The trainer's f32 GEMM (`Some` only for `f32`; `T` is then `f32`).
    fn f32_kernel() -> Option<NnKernel> {
        None
    }
    /// General matrix product `C ← α A B + β C` with explicit row/column strides
    /// (`A` is m×k, `B` is k×n, `C` is m×n), as `matrixmultiply::{sgemm,dgemm}`.
    ///
    /// # Safety
    /// The pointers and strides must describe valid, non-overlapping (for `C`) memory.
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemm_raw(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    );
}

/// C (m×n, row stride ldc) ← A·B (+ C if `accumulate`) with A(i, k) at `a[i·rsa + k·csa]`
/// and contiguous B rows (B(k, j) at `b[k·ldb + j]`): the per-step shape of the trainer.
///
/// # Safety
/// All indexed elements must be in bounds; C must not overlap A or B.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_nn<T: Float>(
    m: usize,
    n: usize,
    k: usize,
    a: *const T,
    rsa: usize,
    csa: usize,
    b: *const T,
    ldb: usize,
    c: *mut T,
    ldc: usize,
    accumulate: bool,
) {
    if let Some(f) = T::f32_kernel() {
        f(
            m,
            n,
            k,
            a as *const f32,
            rsa,
            csa,
            b as *const f32,
            ldb,
            c as *mut f32,
            ldc,
            accumulate,
        );
        return;
    }
    let beta = if accumulate { T::one() } else { T::zero() };
    T::gemm_raw(
        m,
        k,
        n,
        T::one(),
        a,
        rsa as isize,
        csa as isize,
        b,
        ldb as isize,
        1,
        beta,
        c,
        ldc as isize,
        1,
    );
}

/// Signature of [`crate::rnn::kernels::sgemm_nn`].
pub type NnKernel = unsafe fn(
    usize,
    usize,
    usize,
    *const f32,
    usize,
    usize,
    *const f32,
    usize,
    *mut f32,
    usize,
    bool,
);
/// Safe wrapper: `C (m×n, row-major, leading dim ldc) ← α op(A) op(B) + β C` for row-major
/// slices, where `op(X)` is `X` or `Xᵀ` according to `ta` / `tb`.
///
/// `a` holds `A` row-major with shape m×k (or k×m if `ta`), `b` holds `B` with shape k×n
/// (or n×k if `tb`). Panics if a slice is too short (an internal invariant, not user input).
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: Float>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: &[T],
    ta: bool,
    b: &[T],
    tb: bool,
    beta: T,
    c: &mut [T],
) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    let (rsa, csa) = if ta { (1, m as isize) } else { (k as isize, 1) };
    let (rsb, csb) = if tb { (1, k as isize) } else { (n as isize, 1) };
    // SAFETY: the slices cover the strided ranges (checked above) and `c` is exclusively
    // borrowed, so it cannot alias `a` or `b`.
    unsafe {
        T::gemm_raw(
            m,
            k,
            n,
            alpha,
            a.as_ptr(),
            rsa,
            csa,
            b.as_ptr(),
            rsb,
            csb,
            beta,
            c.as_mut_ptr(),
            n as isize,
            1,
        )
    }
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    fn f32_kernel() -> Option<NnKernel> {
        Some(crate::rnn::kernels::sgemm_nn as NnKernel)
    }
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn from_f32(x: f32) -> Self {
        x
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_f32(self) -> f32 {
        self
    }
    // Inlined so that the fused multiply-adds compile for the caller's kernel path (a call
    // to a baseline-compiled copy would evaluate them through `fmaf`: same bits, slower).
    #[inline(always)]
    fn tanh(self) -> Self {
        tanh_f32(self)
    }
    #[inline(always)]
    fn sigmoid(self) -> Self {
        sigmoid_f32(self)
    }
    fn exp(self) -> Self {
        f32::exp(self)
    }
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    fn tanh_slice(xs: &mut [Self]) {
        tanh_slice_f32(kernels::current(), xs)
    }
    unsafe fn gemm_raw(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    ) {
        matrixmultiply::sgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc)
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn from_f64(x: f64) -> Self {
        x
    }
    fn from_f32(x: f32) -> Self {
        x as f64
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn to_f32(self) -> f32 {
        self as f32
    }
    fn tanh(self) -> Self {
        f64::tanh(self)
    }
    fn exp(self) -> Self {
        f64::exp(self)
    }
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    fn tanh_slice(xs: &mut [Self]) {
        for x in xs.iter_mut() {
            *x = x.tanh();
        }
    }
    unsafe fn gemm_raw(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    ) {
        matrixmultiply::dgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc)
    }
}

/// 2ᵏ for −126 ≤ k ≤ 127 (exact, from the exponent bits).
#[inline(always)]
fn pow2i(k: i32) -> f32 {
    f32::from_bits(((k + 127) as u32) << 23)
}

/// eʸ for y ≤ 0 (NaN propagates; y < −104 gives 0): k = round(y·log₂e) by the 1.5·2²³
/// trick, r = y − k·ln 2 (two fused steps, |r| ≤ ln 2/2), eʳ by its degree-7 Taylor
/// polynomial (truncation < 0.1 ulp), then 2ᵏ applied in two exact halves so that results
/// in the subnormal range are rounded once.
#[inline(always)]
fn exp_nonpositive(y: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 = LN2_HI + LN2_LO with LN2_HI = ln 2 rounded to f32.
    const LN2_HI: f32 = std::f32::consts::LN_2;
    const LN2_LO: f32 = -1.904_654_3e-9;
    const MAGIC: f32 = 12_582_912.0;
    let y = if y < -104.0 { -104.0 } else { y };
    let kb = y * LOG2E + MAGIC;
    let kf = kb - MAGIC;
    let k = kb.to_bits().wrapping_sub(MAGIC.to_bits()) as i32;
    let r = (-kf).mul_add(LN2_HI, y);
    let r = (-kf).mul_add(LN2_LO, r);
    let mut p = 1.0 / 5040.0f32;
    p = p.mul_add(r, 1.0 / 720.0);
    p = p.mul_add(r, 1.0 / 120.0);
    p = p.mul_add(r, 1.0 / 24.0);
    p = p.mul_add(r, 1.0 / 6.0);
    p = p.mul_add(r, 0.5);
    p = p.mul_add(r, 1.0);
    p = p.mul_add(r, 1.0);
    let k1 = k >> 1;
    (p * pow2i(k1)) * pow2i(k - k1)
}

/// Single-precision `tanh`, one operation sequence for every input (vectorisable):
/// |x| < 0.625: x + x·x²·P(x²) with Cephes' degree-4 `tanhf` polynomial; otherwise
/// (1 − e)/(1 + e) with e = exp(−2|x|) (`exp_nonpositive`, |x| clamped at 10, where
/// tanh rounds to 1), with the sign of x. NaN propagates.
///
/// Measured against f64 `tanh` rounded to f32 over every finite f32: at most 2 ulp
/// (`tests::every_f32`; at most 1 ulp on the sample of the default test).
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let ax = x.abs();
    let z = x * x;
    let mut p = -5.704_988_7e-3f32;
    p = p.mul_add(z, 2.063_909e-2);
    p = p.mul_add(z, -5.373_971_6e-2);
    p = p.mul_add(z, 1.333_144_2e-1);
    p = p.mul_add(z, -3.333_328e-1);
    let small = (ax * z).mul_add(p, ax);
    let a = if ax > 10.0 { 10.0 } else { ax };
    let e = exp_nonpositive(-2.0 * a);
    let large = (1.0 - e) / (1.0 + e);
    let t = if ax < 0.625 { small } else { large };
    t.copysign(x)
}

/// Single-precision logistic sigmoid 1/(1 + e⁻ˣ), one operation sequence for every input:
/// e = exp(−|x|) (`exp_nonpositive`), then 1/(1 + e) for x ≥ 0 and e/(1 + e) for x < 0
/// (no cancellation, subnormal results for x < −87). NaN propagates.
///
/// Measured against f64 rounded to f32 over every finite f32: at most 2 ulp
/// (`tests::every_f32`).
#[inline(always)]
pub fn sigmoid_f32(x: f32) -> f32 {
    let e = exp_nonpositive(-x.abs());
    let num = if x >= 0.0 { 1.0 } else { e };
    num / (1.0 + e)
}

multiversion! {
    /// [`tanh_f32`] of every element, compiled for the given path.
    pub fn tanh_slice_f32(xs: &mut [f32]) {
        for x in xs.iter_mut() {
            *x = tanh_f32(*x);
        }
    }
}

/// Dot product with 8 interleaved partial sums (vectorisable; fixed summation order:
/// lane k sums elements k, k+8, …, then the lanes are added pairwise, then the remainder).
#[inline]
pub fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [T::zero(); 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        s += *x * *y;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in ulp between f32 values of the same sign (or both zero).
    fn ulp(a: f32, b: f32) -> u64 {
        let key = |x: f32| {
            let i = x.to_bits() as i32;
            if i < 0 {
                -(i & 0x7fff_ffff) as i64
            } else {
                i as i64
            }
        };
        (key(a) - key(b)).unsigned_abs()
    }

    /// Worst ulp distance of tanh_f32 and sigmoid_f32 from the f64 functions rounded to
    /// f32 over the finite values among `xs`.
    fn worst_ulp(xs: impl Iterator<Item = f32>) -> [u64; 2] {
        let mut worst = [0u64; 2];
        for x in xs.filter(|x| x.is_finite()) {
            let t = ulp(tanh_f32(x), (x as f64).tanh() as f32);
            let s = ulp(sigmoid_f32(x), (1.0 / (1.0 + (-(x as f64)).exp())) as f32);
            worst = [worst[0].max(t), worst[1].max(s)];
        }
        worst
    }

    #[test]
    fn tanh_and_sigmoid_within_2_ulp_of_f64() {
        // Every 4099th f32 bit pattern (all exponents, both signs), a dense grid over
        // [−20, 20] and the branch points; the reference is the f64 function rounded to f32.
        let specials = [
            0.0f32, -0.0, 0.625, -0.625, 10.0, 88.0, -88.0, -103.0, -104.5,
        ];
        let xs = (0..=u32::MAX)
            .step_by(4099)
            .map(f32::from_bits)
            .chain((0..=1_000_000).map(|i| -20.0 + i as f32 * 4e-5))
            .chain(specials);
        let worst = worst_ulp(xs);
        assert!(worst[0] <= 1 && worst[1] <= 2, "{worst:?}");
        assert!(tanh_f32(f32::NAN).is_nan() && sigmoid_f32(f32::NAN).is_nan());
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
        assert_eq!(sigmoid_f32(f32::INFINITY), 1.0);
        assert_eq!(sigmoid_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(tanh_f32(-0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(tanh_f32(1e-40).to_bits(), 1e-40f32.to_bits());
    }

    #[test]
    #[ignore = "every finite f32: about a minute per function in release mode"]
    fn every_f32() {
        let worst = worst_ulp((0..=u32::MAX).map(f32::from_bits));
        eprintln!(
            "max ulp over every finite f32: tanh {}, sigmoid {}",
            worst[0], worst[1]
        );
        assert!(worst[0] <= 1 && worst[1] <= 2, "{worst:?}");
    }

    #[test]
    fn tanh_slice_is_the_scalar_function_on_every_path() {
        let xs: Vec<f32> = (0..=200_000).map(|i| -12.0 + i as f32 * 1.2e-4).collect();
        for k in kernels::Kernel::supported_paths() {
            let mut v = xs.clone();
            tanh_slice_f32(k, &mut v);
            for (a, &x) in v.iter().zip(&xs) {
                assert_eq!(a.to_bits(), tanh_f32(x).to_bits(), "{k} at {x}");
            }
        }
    }

    #[test]
    fn gemm_transposes() {
        // A = [[1,2,3],[4,5,6]] (2x3), B = [[1,0],[0,1],[1,1]] (3x2): AB = [[4,5],[10,11]].
        let a = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.0f64, 0.0, 0.0, 1.0, 1.0, 1.0];
        let mut c = [0.0f64; 4];
        gemm(2, 3, 2, 1.0, &a, false, &b, false, 0.0, &mut c);
        assert_eq!(c, [4.0, 5.0, 10.0, 11.0]);
        // Aᵀ stored as 3x2 [[1,4],[2,5],[3,6]]
        let at = [1.0f64, 4.0, 2.0, 5.0, 3.0, 6.0];
        let bt = [1.0f64, 0.0, 1.0, 0.0, 1.0, 1.0];
        let mut c2 = [1.0f64; 4];
        gemm(2, 3, 2, 1.0, &at, true, &bt, true, 1.0, &mut c2);
        assert_eq!(c2, [5.0, 6.0, 11.0, 12.0]);
    }
}
