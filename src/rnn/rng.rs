//! Named, seedable random streams (SPEC 4.5).
//!
//! Every random draw of the project comes from a ChaCha8 generator keyed by
//! `(seed, stream id)`: [`Stream::Init`] (initial parameters), [`Stream::Train`] (per-epoch
//! initial states ξ and noise ε), [`Stream::Classify`] (the mechanism classifier's trial,
//! SPEC 6) and [`Stream::Band`] (the power-law band, SPEC 8.3). Draws are `f32`.
//!
//! The 32-byte ChaCha key is `seed` (u64 LE) ‖ `stream id` (u64 LE) ‖ the ASCII tag
//! `"dynphase-rng-v1\0"`; the ChaCha stream number is 0. Streams of different seeds or ids
//! are therefore independent, and a run never depends on thread scheduling.
//!
//! Normal deviates use the Marsaglia–Tsang ziggurat (128 layers) driven by one `u32` per
//! draw on the fast path ([`normal_f32`]); uniforms use the top 24 bits of a `u32`
//! ([`uniform01_f32`]).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

/// The generator type of every stream.
pub type StreamRng = ChaCha8Rng;

/// The named random streams (SPEC 4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Initial parameters (full-rank: W_in, b_in, W_rec, b_rec, W_out, b_out, row-major;
    /// rank-2: m, n, W_out, b_out, x_0).
    Init,
    /// Training noise: per epoch ξ (B×N, trial-major) then ε_t (B×N) for t = 0…L−1.
    Train,
    /// The classifier's single trial (SPEC 6): ξ (N), then ε_t (N) for each step.
    Classify,
    /// Monte-Carlo draws of the power-law confidence band (SPEC 8.3).
    Band,
}

impl Stream {
    /// The stream id mixed into the key: Init 1, Train 2, Classify 3, Band 4.
    pub fn id(self) -> u64 {
        match self {
            Stream::Init => 1,
            Stream::Train => 2,
            Stream::Classify => 3,
            Stream::Band => 4,
        }
    }
}

/// The generator of stream `stream` for network seed `seed` (see the module docs for the key).
pub fn stream(seed: u64, stream: Stream) -> StreamRng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&stream.id().to_le_bytes());
    key[16..].copy_from_slice(b"dynphase-rng-v1\0");
    ChaCha8Rng::from_seed(key)
}

/// Uniform `f32` on [0, 1): the top 24 bits of one `u32`, times 2⁻²⁴.
#[inline]
pub fn uniform01_f32<R: Rng + ?Sized>(rng: &mut R) -> f32 {
    (rng.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// Uniform `f32` on [lo, hi): `lo + (hi − lo)·u` as PyTorch's `uniform_`.
#[inline]
pub fn uniform_f32<R: Rng + ?Sized>(rng: &mut R, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * uniform01_f32(rng)
}

struct Zig {
    kn: [u32; 128],
    wn: [f64; 128],
    wn32: [f32; 128],
    fnv: [f64; 128],
}

fn zig() -> &'static Zig {
    static Z: OnceLock<Zig> = OnceLock::new();
    Z.get_or_init(|| {
        // Marsaglia & Tsang (2000), "The ziggurat method", 128 layers.
        let m1 = 2_147_483_648.0f64;
        let mut dn = 3.442_619_855_899f64;
        let mut tn = dn;
        let vn = 9.912_563_035_262_17e-3f64;
        let mut kn = [0u32; 128];
        let mut wn = [0f64; 128];
        let mut fnv = [0f64; 128];
        let q = vn / (-0.5 * dn * dn).exp();
        kn[0] = ((dn / q) * m1) as u32;
        kn[1] = 0;
        wn[0] = q / m1;
        wn[127] = dn / m1;
        fnv[0] = 1.0;
        fnv[127] = (-0.5 * dn * dn).exp();
        for i in (1..=126).rev() {
            dn = (-2.0 * (vn / dn + (-0.5 * dn * dn).exp()).ln()).sqrt();
            kn[i + 1] = ((dn / tn) * m1) as u32;
            tn = dn;
            fnv[i] = (-0.5 * dn * dn).exp();
            wn[i] = dn / m1;
        }
        let wn32 = wn.map(|w| w as f32);
        Zig { kn, wn, wn32, fnv }
    })
}

#[inline]
fn uni_open<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u32() >> 8) as f64 + 0.5) * (1.0 / 16_777_216.0)
}

/// Standard normal `f32` deviate (ziggurat; one `u32` per draw on the ~99 % fast path).
#[inline]
pub fn normal_f32<R: Rng + ?Sized>(rng: &mut R) -> f32 {
    let z = zig();
    let hz = rng.next_u32() as i32;
    let iz = (hz & 127) as usize;
    if hz.unsigned_abs() < z.kn[iz] {
        return (hz as f64 * z.wn[iz]) as f32;
    }
    normal_tail(rng, z, hz, iz)
}

#[cold]
fn normal_tail<R: Rng + ?Sized>(rng: &mut R, z: &Zig, mut hz: i32, mut iz: usize) -> f32 {
    const R: f64 = 3.442_620;
    loop {
        let x = hz as f64 * z.wn[iz];
        if iz == 0 {
            loop {
                let x = -uni_open(rng).ln() * (1.0 / R);
                let y = -uni_open(rng).ln();
                if y + y >= x * x {
                    return (if hz > 0 { R + x } else { -R - x }) as f32;
                }
            }
        }
        if z.fnv[iz] + uni_open(rng) * (z.fnv[iz - 1] - z.fnv[iz]) < (-0.5 * x * x).exp() {
            return x as f32;
        }
        hz = rng.next_u32() as i32;
        iz = (hz & 127) as usize;
        if hz.unsigned_abs() < z.kn[iz] {
            return (hz as f64 * z.wn[iz]) as f32;
        }
    }
}

/// Fill `out` with standard normal `f32` deviates (block ziggurat).
///
/// First `out.len()` words are drawn from `rng` in one bulk request (little-endian `u32`s),
/// and word j gives deviate j on the ziggurat fast path; the ~1.2 % rejected slots are then
/// completed in increasing j by the exact tail/wedge procedure, which draws further words
/// from `rng`. The result is a deterministic function of the stream position.
pub fn fill_normal_f32<R: Rng + ?Sized>(rng: &mut R, out: &mut [f32]) {
    let z = zig();
    {
        // SAFETY: f32 and u8 have no invalid bit patterns; the byte view covers `out` exactly.
        let bytes = unsafe {
            std::slice::from_raw_parts_mut(out.as_mut_ptr() as *mut u8, std::mem::size_of_val(out))
        };
        rng.fill_bytes(bytes);
    }
    for chunk in out.chunks_mut(64) {
        // Fast path: accepted slots get their deviate, rejected slots keep their raw word.
        let mut mask = fast_path_chunk(z, chunk);
        while mask != 0 {
            let j = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let hz = u32::from_le(chunk[j].to_bits()) as i32;
            chunk[j] = normal_tail(rng, z, hz, (hz & 127) as usize);
        }
    }
}

/// Ziggurat fast path over ≤ 64 raw words stored in `chunk`; returns the rejection bitmask.
fn fast_path_chunk(z: &Zig, chunk: &mut [f32]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        if chunk.len() == 64 && std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: AVX-512F is available and the chunk has exactly 64 elements.
            return unsafe { fast_path_chunk_avx512(z, chunk) };
        }
    }
    let mut mask = 0u64;
    for (j, v) in chunk.iter_mut().enumerate() {
        let hz = u32::from_le(v.to_bits()) as i32;
        let iz = (hz & 127) as usize;
        if hz.unsigned_abs() < z.kn[iz] {
            *v = hz as f32 * z.wn32[iz];
        } else {
            mask |= 1 << j;
        }
    }
    mask
}

/// AVX-512 version of the fast path (16 lanes); bit-identical results: the same integer
/// comparison, `cvtdq2ps` rounding to nearest like `as f32`, one multiply. The 128-entry
/// tables are looked up with two-source permutes (exact, and much cheaper than gathers):
/// bits 0–4 of the index select within a 32-entry pair of registers, bits 5 and 6 pick the
/// pair.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn fast_path_chunk_avx512(z: &Zig, chunk: &mut [f32]) -> u64 {
    use std::arch::x86_64::*;
    let kp = z.kn.as_ptr() as *const __m512i;
    let wp = z.wn32.as_ptr();
    let kt: [__m512i; 8] = std::array::from_fn(|i| _mm512_loadu_si512(kp.add(i)));
    let wt: [__m512; 8] = std::array::from_fn(|i| _mm512_loadu_ps(wp.add(16 * i)));
    let mut mask = 0u64;
    let p = chunk.as_mut_ptr();
    let seven = _mm512_set1_epi32(127);
    let bit5 = _mm512_set1_epi32(32);
    let bit6 = _mm512_set1_epi32(64);
    for v in 0..4 {
        let ptr = p.add(16 * v);
        let w = _mm512_loadu_si512(ptr as *const _);
        let iz = _mm512_and_si512(w, seven);
        let m5 = _mm512_test_epi32_mask(iz, bit5);
        let m6 = _mm512_test_epi32_mask(iz, bit6);
        let k01 = _mm512_permutex2var_epi32(kt[0], iz, kt[1]);
        let k23 = _mm512_permutex2var_epi32(kt[2], iz, kt[3]);
        let k45 = _mm512_permutex2var_epi32(kt[4], iz, kt[5]);
        let k67 = _mm512_permutex2var_epi32(kt[6], iz, kt[7]);
        let kn = _mm512_mask_blend_epi32(
            m6,
            _mm512_mask_blend_epi32(m5, k01, k23),
            _mm512_mask_blend_epi32(m5, k45, k67),
        );
        let w01 = _mm512_permutex2var_ps(wt[0], iz, wt[1]);
        let w23 = _mm512_permutex2var_ps(wt[2], iz, wt[3]);
        let w45 = _mm512_permutex2var_ps(wt[4], iz, wt[5]);
        let w67 = _mm512_permutex2var_ps(wt[6], iz, wt[7]);
        let wn = _mm512_mask_blend_ps(
            m6,
            _mm512_mask_blend_ps(m5, w01, w23),
            _mm512_mask_blend_ps(m5, w45, w67),
        );
        let absw = _mm512_abs_epi32(w);
        let acc = _mm512_cmplt_epu32_mask(absw, kn);
        let x = _mm512_mul_ps(_mm512_cvtepi32_ps(w), wn);
        _mm512_mask_storeu_ps(ptr, acc, x);
        mask |= ((!acc) as u64 & 0xffff) << (16 * v);
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u32> = (0..4).map(|_| stream(0, Stream::Init).next_u32()).collect();
        assert!(a.iter().all(|&v| v == a[0]));
        assert_ne!(
            stream(0, Stream::Init).next_u32(),
            stream(0, Stream::Train).next_u32()
        );
        assert_ne!(
            stream(0, Stream::Init).next_u32(),
            stream(1, Stream::Init).next_u32()
        );
    }

    #[test]
    fn normal_moments() {
        // Sample moments of 400k draws: mean 0 ± 5σ/√n, var 1, kurtosis 3, tail mass.
        let mut rng = stream(7, Stream::Train);
        let n = 400_000;
        let mut block = vec![0f32; n];
        fill_normal_f32(&mut rng, &mut block);
        // The vectorised and scalar fast paths agree bit for bit.
        let mut words = vec![0f32; 4096];
        rng.fill_bytes(unsafe {
            std::slice::from_raw_parts_mut(words.as_mut_ptr() as *mut u8, 4 * 4096)
        });
        let z = zig();
        for c in words.chunks(64) {
            let mut a = c.to_vec();
            let mut b = c.to_vec();
            let ma = fast_path_chunk(z, &mut a);
            let mut mb = 0u64;
            for (j, v) in b.iter_mut().enumerate() {
                let hz = v.to_bits() as i32;
                let iz = (hz & 127) as usize;
                if hz.unsigned_abs() < z.kn[iz] {
                    *v = hz as f32 * z.wn32[iz];
                } else {
                    mb |= 1 << j;
                }
            }
            assert_eq!(ma, mb);
            assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
        for (k, xs) in [
            (0..n)
                .map(|_| normal_f32(&mut rng) as f64)
                .collect::<Vec<f64>>(),
            block.iter().map(|&v| v as f64).collect(),
        ]
        .into_iter()
        .enumerate()
        {
            check_normal_sample(k, &xs);
        }
    }

    fn check_normal_sample(k: usize, xs: &[f64]) {
        let n = xs.len();
        eprintln!("sample {k}");
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        let k4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64 / (var * var);
        assert!(mean.abs() < 5.0 / (n as f64).sqrt(), "{mean}");
        assert!((var - 1.0).abs() < 0.012, "{var}");
        assert!((k4 - 3.0).abs() < 0.06, "{k4}");
        // P(|x| > 3.5) = 4.653e-4 -> expected 186 draws
        let tail = xs.iter().filter(|x| x.abs() > 3.5).count() as f64;
        assert!((tail - 186.1).abs() < 5.0 * 186.1f64.sqrt(), "{tail}");
        // P(x < 1) = 0.841345
        let below = xs.iter().filter(|&&x| x < 1.0).count() as f64 / n as f64;
        assert!((below - 0.841_345).abs() < 0.003, "{below}");
    }

    #[test]
    fn uniform_range() {
        let mut rng = stream(1, Stream::Init);
        let xs: Vec<f32> = (0..100_000)
            .map(|_| uniform_f32(&mut rng, -0.5, 0.5))
            .collect();
        assert!(xs.iter().all(|&x| (-0.5..0.5).contains(&x)));
        let mean = xs.iter().map(|&x| x as f64).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.005);
        let var = xs.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!((var - 1.0 / 12.0).abs() < 0.002, "{var}");
    }
}
