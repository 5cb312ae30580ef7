//! The floating-point abstraction of the trainer: training runs in `f32` (as the reference),
//! gradient checks and the `--precision f64` debug mode in `f64` (SPEC 1, "Precision").

use std::fmt::{Debug, Display};
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

/// A real scalar usable by the RNN models and trainers (`f32` or `f64`).
///
/// Besides arithmetic it provides the two kernels the trainer needs: a fast, accurate `tanh`
/// over a slice and a dense matrix product (`matrixmultiply`'s `sgemm` / `dgemm`).
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
    /// Hyperbolic tangent (the standard library's).
    fn tanh(self) -> Self;
    /// Exponential.
    fn exp(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// True for NaN.
    fn is_nan(self) -> bool;
    /// Logistic sigmoid 1/(1 + exp(−x)).
    fn sigmoid(self) -> Self {
        Self::one() / (Self::one() + (-self).exp())
    }
    /// In-place `tanh` of every element of `xs` (vectorised for `f32`, accurate to a few ulp).
    fn tanh_slice(xs: &mut [Self]);
    /// The hand-written f32 kernels (`Some` only for `f32`); `T` is then `f32`.
    fn f32_kernels() -> Option<(NnKernel, NtKernel)> {
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
    if let Some(f) = T::f32_kernels() {
        (f.0)(
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

/// C (m×n, row stride ldc) ← A·Bᵀ (+ C if `accumulate`) with A(i, p) at `a[i·lda + p]` and
/// B(j, p) at `b[j·ldb + p]`: the gradient shape (sums over all trial-step columns).
///
/// # Safety
/// As [`gemm_nn`].
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_nt<T: Float>(
    m: usize,
    n: usize,
    k: usize,
    a: *const T,
    lda: usize,
    b: *const T,
    ldb: usize,
    c: *mut T,
    ldc: usize,
    accumulate: bool,
) {
    if let Some(f) = T::f32_kernels() {
        (f.1)(
            m,
            n,
            k,
            a as *const f32,
            lda,
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
        lda as isize,
        1,
        b,
        1,
        ldb as isize,
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
/// Signature of [`crate::rnn::kernels::sgemm_nt`].
pub type NtKernel =
    unsafe fn(usize, usize, usize, *const f32, usize, *const f32, usize, *mut f32, usize, bool);

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
    fn f32_kernels() -> Option<(NnKernel, NtKernel)> {
        Some((
            crate::rnn::kernels::sgemm_nn as NnKernel,
            crate::rnn::kernels::sgemm_nt as NtKernel,
        ))
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
    fn tanh(self) -> Self {
        f32::tanh(self)
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
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports AVX-512F (checked above).
                unsafe { tanh_slice_avx512(xs) };
                return;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2 (checked above).
                unsafe { tanh_slice_avx2(xs) };
                return;
            }
        }
        tanh_slice_generic(xs);
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

fn tanh_slice_generic(xs: &mut [f32]) {
    for x in xs.iter_mut() {
        *x = fast_tanh_f32(*x);
    }
}

/// The same loop compiled for AVX2 (8 lanes). Rust never contracts `a*b + c` into FMA, so the
/// results are bit-identical to [`tanh_slice_generic`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tanh_slice_avx2(xs: &mut [f32]) {
    for x in xs.iter_mut() {
        *x = fast_tanh_f32(*x);
    }
}

/// The same loop compiled for AVX-512F (16 lanes); bit-identical results as above.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn tanh_slice_avx512(xs: &mut [f32]) {
    for x in xs.iter_mut() {
        *x = fast_tanh_f32(*x);
    }
}

/// Branch-free single-precision `tanh`, vectorisable by the compiler.
///
/// tanh(|x|) = −m/(2 + m) with m = expm1(−2|x|), where expm1 uses a Cody–Waite reduction
/// y = k·ln2 + r (|r| ≤ ln2/2) and a degree-8 Taylor polynomial for expm1(r), recombined as
/// 2^k·expm1(r) + (2^k − 1) without cancellation. |x| is clamped at 9 (tanh(9) rounds to
/// 1 within 1 ulp); NaN propagates. The error against `f32::tanh` is a few ulp (tested).
#[inline(always)]
pub fn fast_tanh_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let mut ax = x.abs();
    if ax > 9.0 {
        ax = 9.0;
    }
    let y = -2.0 * ax;
    // Round y·log2(e) to the nearest integer with the 1.5·2^23 trick (no libm call, so the
    // loop vectorises); the integer k sits in the low mantissa bits of `kf_biased`.
    const MAGIC: f32 = 12_582_912.0;
    let kf_biased = y * LOG2E + MAGIC;
    let k = kf_biased - MAGIC;
    let ki = kf_biased.to_bits().wrapping_sub(MAGIC.to_bits()) as i32;
    let r = (y - k * LN2_HI) - k * LN2_LO;
    let p = r
        * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0
                            + r * (1.0 / 720.0 + r * (1.0 / 5040.0 + r * (1.0 / 40320.0))))))));
    let s = f32::from_bits(((ki + 127) as u32) << 23);
    let em1 = s * p + (s - 1.0);
    let t = -em1 / (2.0 + em1);
    t.copysign(x)
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

    #[test]
    fn fast_tanh_matches_std_within_4_ulp() {
        // Dense sweep over [-12, 12] plus tiny and special values.
        let mut worst = 0i64;
        let mut xs: Vec<f32> = (0..=2_400_000).map(|i| -12.0 + i as f32 * 1e-5).collect();
        xs.extend([0.0, -0.0, 1e-30, -1e-30, 1e-8, 3e-4, f32::MAX, f32::MIN]);
        for &x in &xs {
            let a = fast_tanh_f32(x);
            let b = x.tanh();
            let d = (a.to_bits() as i64 - b.to_bits() as i64).abs();
            worst = worst.max(d);
            assert!(d <= 4, "x = {x}: {a} vs {b}");
        }
        assert!(fast_tanh_f32(f32::NAN).is_nan());
        assert_eq!(fast_tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(fast_tanh_f32(f32::NEG_INFINITY), -1.0);
        assert!(worst >= 0);
        // The vectorised slice kernels give exactly the scalar results.
        let mut w = xs.clone();
        tanh_slice_generic(&mut w);
        for (a, &x) in w.iter().zip(&xs) {
            assert_eq!(a.to_bits(), fast_tanh_f32(x).to_bits());
        }
        let mut v = xs.clone();
        f32::tanh_slice(&mut v);
        for (a, &x) in v.iter().zip(&xs) {
            assert_eq!(a.to_bits(), fast_tanh_f32(x).to_bits());
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
