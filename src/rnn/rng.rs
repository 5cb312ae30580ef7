//! Named, seedable random streams, counter-based (stream version 2).
//!
//! Every random draw of the trainer is a pure function of
//! `(seed, stream, group, index)`: the Philox4x32-10 block cipher (Salmon et al., "Parallel
//! random numbers: as easy as 1, 2, 3", SC 2011) encrypts a 128-bit counter under a 64-bit
//! key, and nothing else is carried from one draw to the next. A vector lane, a thread or a
//! shard that computes draw `index` therefore gets the same 32-bit word as any other, whatever
//! the vector width or the order of evaluation. Philox was chosen over ChaCha with per-lane
//! counters because one block costs 20 32×32→64-bit multiplies (two per round, ten rounds),
//! which every SIMD unit has, and it passes BigCrush with a margin of three rounds.
//!
//! * key = (seed mod 2³², seed div 2³²);
//! * counter = (index div 4, group mod 2³², group div 2³², `STREAM_VERSION`·2¹⁶ + stream id);
//!   word `index mod 4` of the block is word `index` of the group.
//!
//! The streams are [`Stream::Init`] (initial parameters, group 0), [`Stream::Train`] (group
//! e holds epoch e: ξ (B×N, trial-major) then ε_t (B×N) for t = 0…L−1), [`Stream::Classify`]
//! (the mechanism classifier's trial, group 0) and [`Stream::Band`].
//!
//! **Normal deviates** (Box–Muller). Deviates 2p and 2p+1 of a group come from words 2p and
//! 2p+1: u = (2²⁴ − (w₂ₚ ≫ 8))·2⁻²⁴ ∈ (0, 1], r = √(−2 ln u), θ = 2π·(w₂ₚ₊₁ ≫ 8)·2⁻²⁴, and the
//! deviates are r cos θ and r sin θ. `ln`, `cos` and `sin` are this module's own polynomials
//! (Cody–Waite reduction for ln; a quadrant reduction in integer arithmetic and Taylor
//! polynomials on |θ| ≤ π/4 for cos/sin), evaluated with +, ×, fused multiply-add, exact
//! division and square root only, so every lane of every kernel path produces the same bits
//! (see [`crate::rnn::kernels`]). The largest deviate is √(48 ln 2) ≈ 5.77, beyond which the
//! normal has mass 8·10⁻⁹.
//!
//! **Uniform deviates** use the top 24 bits of one word: (w ≫ 8)·2⁻²⁴ ∈ [0, 1).
//!
//! Stream version 1 (a ChaCha8 generator and a ziggurat) is gone; records computed with it
//! are not reproduced by this version.

use super::kernels::{self, Kernel};

/// The stream format version, mixed into every counter.
pub const STREAM_VERSION: u32 = 2;

/// The named random streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Initial parameters (full-rank: W_in, b_in, W_rec, b_rec, W_out, b_out, row-major;
    /// rank-2: m, n, W_out, b_out, x_0).
    Init,
    /// Training noise: group e = epoch e holds ξ (B×N, trial-major) then ε_t (B×N) for
    /// t = 0…L−1.
    Train,
    /// The classifier's single trial: ξ (N), then ε_t (N) for each step.
    Classify,
    /// Monte-Carlo draws of the power-law confidence band.
    Band,
}

impl Stream {
    /// The stream id mixed into the counter: Init 1, Train 2, Classify 3, Band 4.
    pub fn id(self) -> u64 {
        match self {
            Stream::Init => 1,
            Stream::Train => 2,
            Stream::Classify => 3,
            Stream::Band => 4,
        }
    }
}

/// A position in one stream: (seed, stream) fix the key and the tag, `group` and `index`
/// the next draw. Cloning a position and drawing from both gives the same numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRng {
    key: [u32; 2],
    tag: u32,
    group: u64,
    index: u64,
}

/// The generator of stream `stream` for network seed `seed`, at group 0, index 0.
pub fn stream(seed: u64, stream: Stream) -> StreamRng {
    StreamRng {
        key: [seed as u32, (seed >> 32) as u32],
        tag: (STREAM_VERSION << 16) | stream.id() as u32,
        group: 0,
        index: 0,
    }
}

const PHILOX_M0: u32 = 0xD251_1F53;
const PHILOX_M1: u32 = 0xCD9E_8D57;
const PHILOX_W0: u32 = 0x9E37_79B9;
const PHILOX_W1: u32 = 0xBB67_AE85;

/// One Philox4x32-10 block: the counter `ctr` encrypted under `key`.
#[inline(always)]
pub fn philox4x32_10(ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let [mut c0, mut c1, mut c2, mut c3] = ctr;
    let [mut k0, mut k1] = key;
    for round in 0..10 {
        if round > 0 {
            k0 = k0.wrapping_add(PHILOX_W0);
            k1 = k1.wrapping_add(PHILOX_W1);
        }
        let p0 = PHILOX_M0 as u64 * c0 as u64;
        let p1 = PHILOX_M1 as u64 * c2 as u64;
        let (hi0, lo0) = ((p0 >> 32) as u32, p0 as u32);
        let (hi1, lo1) = ((p1 >> 32) as u32, p1 as u32);
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    [c0, c1, c2, c3]
}

impl StreamRng {
    /// The group of the next draw.
    pub fn group(&self) -> u64 {
        self.group
    }

    /// The index of the next draw within its group.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Move to the start of group `group`.
    pub fn seek(&mut self, group: u64, index: u64) {
        self.group = group;
        self.index = index;
    }

    /// Move to the start of the next group (the trainer does this after every epoch).
    pub fn next_group(&mut self) {
        self.group += 1;
        self.index = 0;
    }

    #[inline(always)]
    fn ctr(&self, block: u64) -> [u32; 4] {
        [
            block as u32,
            self.group as u32,
            (self.group >> 32) as u32,
            self.tag,
        ]
    }

    /// Word `index` of the current group (a pure function of the position).
    #[inline]
    pub fn word_at(&self, index: u64) -> u32 {
        philox4x32_10(self.ctr(index / 4), self.key)[(index % 4) as usize]
    }

    /// The next 32-bit word.
    pub fn next_u32(&mut self) -> u32 {
        let w = self.word_at(self.index);
        self.index += 1;
        w
    }

    /// Standard normal deviate `index` of the current group (a pure function of the position).
    pub fn normal_at(&self, index: u64) -> f32 {
        let p = index & !1;
        let z = box_muller(self.word_at(p), self.word_at(p + 1));
        z[(index & 1) as usize]
    }
}

/// Uniform `f32` on [0, 1): the top 24 bits of one word, times 2⁻²⁴.
#[inline]
pub fn uniform01_f32(rng: &mut StreamRng) -> f32 {
    (rng.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// Uniform `f32` on [lo, hi): `lo + (hi − lo)·u` as PyTorch's `uniform_`.
#[inline]
pub fn uniform_f32(rng: &mut StreamRng, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * uniform01_f32(rng)
}

/// The next standard normal `f32` deviate.
pub fn normal_f32(rng: &mut StreamRng) -> f32 {
    let z = rng.normal_at(rng.index);
    rng.index += 1;
    z
}

/// Natural logarithm of u ∈ [2⁻²⁴, 1] (the Box–Muller radius argument): u = 2ᵉ·m with
/// m ∈ [√½, √2), ln u = e·ln 2 + ln(1 + f), f = m − 1, ln(1 + f) = f − f²/2 + f³·P(f) with
/// the degree-8 P of Cephes' `logf` (relative error ≈ 1e-7); e·ln 2 in two parts.
#[inline(always)]
fn ln_unit(u: f32) -> f32 {
    let bits = u.to_bits();
    // Exponent relative to m ∈ [√½, √2): shift the mantissa boundary by 0x3f3504f3 (√½).
    let t = bits.wrapping_sub(0x3f35_04f3);
    let e = ((t as i32) >> 23) as f32;
    let m = f32::from_bits(bits.wrapping_sub(t & 0xff80_0000));
    let f = m - 1.0;
    let z = f * f;
    let mut p = 7.037_683_6e-2f32;
    p = p.mul_add(f, -1.151_461e-1);
    p = p.mul_add(f, 1.167_699_9e-1);
    p = p.mul_add(f, -1.242_014_1e-1);
    p = p.mul_add(f, 1.424_932_3e-1);
    p = p.mul_add(f, -1.666_805_8e-1);
    p = p.mul_add(f, 2.000_071_4e-1);
    p = p.mul_add(f, -2.499_999_4e-1);
    p = p.mul_add(f, 3.333_333e-1);
    let mut y = (f * z) * p;
    y = e.mul_add(-2.121_944_4e-4, y);
    y = (-0.5f32).mul_add(z, y);
    let x = f + y;
    e.mul_add(0.693_359_4, x)
}

/// (cos 2πx, sin 2πx) for |x| ≤ 1/8 by Taylor polynomials in x (errors < 2e-9).
#[inline(always)]
fn cos_sin_turns(x: f32) -> (f32, f32) {
    const TAU: f64 = std::f64::consts::TAU;
    const S1: f32 = TAU as f32;
    const S3: f32 = (-TAU * TAU * TAU / 6.0) as f32;
    const S5: f32 = (TAU * TAU * TAU * TAU * TAU / 120.0) as f32;
    const S7: f32 = (-TAU * TAU * TAU * TAU * TAU * TAU * TAU / 5040.0) as f32;
    const S9: f32 = (TAU * TAU * TAU * TAU * TAU * TAU * TAU * TAU * TAU / 362_880.0) as f32;
    const C2: f32 = (-TAU * TAU / 2.0) as f32;
    const C4: f32 = (TAU * TAU * TAU * TAU / 24.0) as f32;
    const C6: f32 = (-TAU * TAU * TAU * TAU * TAU * TAU / 720.0) as f32;
    const C8: f32 = (TAU * TAU * TAU * TAU * TAU * TAU * TAU * TAU / 40_320.0) as f32;
    const C10: f32 =
        (-TAU * TAU * TAU * TAU * TAU * TAU * TAU * TAU * TAU * TAU / 3_628_800.0) as f32;
    let x2 = x * x;
    let mut s = S9;
    s = s.mul_add(x2, S7);
    s = s.mul_add(x2, S5);
    s = s.mul_add(x2, S3);
    s = s.mul_add(x2, S1);
    let mut c = C10;
    c = c.mul_add(x2, C8);
    c = c.mul_add(x2, C6);
    c = c.mul_add(x2, C4);
    c = c.mul_add(x2, C2);
    (c.mul_add(x2, 1.0), s * x)
}

/// The Box–Muller pair of two words (see the module docs).
#[inline(always)]
pub fn box_muller(w0: u32, w1: u32) -> [f32; 2] {
    let u = (16_777_216 - (w0 >> 8)) as f32 * (1.0 / 16_777_216.0);
    let r = (-2.0 * ln_unit(u)).sqrt();
    // θ = 2π m/2²⁴ = 2π (q/4 + x), q = round(4m/2²⁴) mod 4, x = m/2²⁴ − q/4 ∈ [−1/8, 1/8).
    let m = w1 >> 8;
    let qr = (m + (1 << 21)) >> 22; // 0..=4
    let x = (m as i32 - (qr << 22) as i32) as f32 * (1.0 / 16_777_216.0);
    let q = qr & 3;
    let (c, s) = cos_sin_turns(x);
    // Rotate by q quarter turns: (c, s) → (−s, c) → (−c, −s) → (s, −c).
    let swap = q & 1 != 0;
    let (c1, s1) = if swap { (s, c) } else { (c, s) };
    let neg_c = ((q ^ (q >> 1)) & 1) << 31; // q = 1, 2
    let neg_s = (q >> 1) << 31; // q = 2, 3
    let cv = f32::from_bits(c1.to_bits() ^ neg_c);
    let sv = f32::from_bits(s1.to_bits() ^ neg_s);
    [r * cv, r * sv]
}

/// Lanes of the block loop of [`fill_normal_f32`] (Philox blocks per iteration).
const LANES: usize = 16;

/// The aligned part of [`fill_normal_f32`]: `out` (a multiple of 4·LANES long) receives the
/// deviates of blocks `block0`, `block0 + 1`, … of the current group.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // lane l indexes several arrays at once
fn fill_blocks(rng: &StreamRng, block0: u64, out: &mut [f32]) {
    for (c, chunk) in out.chunks_exact_mut(4 * LANES).enumerate() {
        let mut w = [[0u32; LANES]; 4];
        for l in 0..LANES {
            let b = philox4x32_10(rng.ctr(block0 + (c * LANES + l) as u64), rng.key);
            for k in 0..4 {
                w[k][l] = b[k];
            }
        }
        let mut z = [[0f32; LANES]; 4];
        for l in 0..LANES {
            let a = box_muller(w[0][l], w[1][l]);
            let b = box_muller(w[2][l], w[3][l]);
            z[0][l] = a[0];
            z[1][l] = a[1];
            z[2][l] = b[0];
            z[3][l] = b[1];
        }
        for l in 0..LANES {
            for k in 0..4 {
                chunk[4 * l + k] = z[k][l];
            }
        }
    }
}

kernels::multiversion! {
    fn fill_blocks_dispatch(rng: &StreamRng, block0: u64, out: &mut [f32]) {
        fill_blocks(rng, block0, out)
    }
}

/// Fill `out` with the next `out.len()` standard normal deviates of the current group:
/// `out[j]` is deviate `index + j` ([`StreamRng::normal_at`]), whatever the kernel path.
pub fn fill_normal_f32(rng: &mut StreamRng, out: &mut [f32]) {
    fill_normal_with(kernels::current(), rng, out)
}

/// [`fill_normal_f32`] on an explicit kernel path (same numbers on every path).
pub fn fill_normal_with(kernel: Kernel, rng: &mut StreamRng, out: &mut [f32]) {
    let start = rng.index;
    let len = out.len() as u64;
    // Head up to a block boundary and tail after the last full chunk, deviate by deviate.
    let head = ((4 - start % 4) % 4).min(len);
    let body = (len - head) / (4 * LANES as u64) * (4 * LANES as u64);
    for j in 0..head {
        out[j as usize] = rng.normal_at(start + j);
    }
    let (h, b) = (head as usize, body as usize);
    fill_blocks_dispatch(kernel, rng, (start + head) / 4, &mut out[h..h + b]);
    for j in head + body..len {
        out[j as usize] = rng.normal_at(start + j);
    }
    rng.index = start + len;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn philox_known_answers() {
        // Random123's kat_vectors for philox4x32_10.
        assert_eq!(
            philox4x32_10([0; 4], [0; 2]),
            [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]
        );
        assert_eq!(
            philox4x32_10([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]
        );
        assert_eq!(
            philox4x32_10(
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0]
            ),
            [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]
        );
    }

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
        let mut g = stream(0, Stream::Train);
        g.next_group();
        assert_ne!(g.next_u32(), stream(0, Stream::Train).next_u32());
    }

    #[test]
    fn ln_and_cos_sin_are_accurate() {
        let mut worst_ln = 0f64;
        for k in (1u32..=1 << 24)
            .step_by(97)
            .chain([1, 2, 3, 1 << 23, 1 << 24])
        {
            let u = k as f32 * (1.0 / 16_777_216.0);
            let got = ln_unit(u) as f64;
            let want = (u as f64).ln();
            worst_ln = worst_ln.max((got - want).abs() / want.abs().max(1e-30));
        }
        assert!(worst_ln < 3e-7, "ln rel err {worst_ln}");
        assert_eq!(ln_unit(1.0), 0.0);
        let mut worst = 0f64;
        for m in (0u32..1 << 24).step_by(13) {
            let z = box_muller(0, m << 8); // u = 1 → r = 0; use the angle alone:
            assert_eq!(z, [0.0, 0.0]);
            let qr = (m + (1 << 21)) >> 22;
            let x = (m as i32 - (qr << 22) as i32) as f32 * (1.0 / 16_777_216.0);
            let (c, s) = cos_sin_turns(x);
            let th = std::f64::consts::TAU * x as f64;
            worst = worst.max((c as f64 - th.cos()).abs().max((s as f64 - th.sin()).abs()));
        }
        assert!(worst < 1.5e-7, "cos/sin abs err {worst}");
        // The quadrant rotation: w1 = 2²² (quarter turn) with r = √(−2 ln 2⁻²⁴·…).
        let r = (-2.0 * (0.5f64).ln()).sqrt() as f32; // w0 ≫ 8 = 2²³ → u = 1/2
        for (m, want) in [
            (0u32, [1.0f32, 0.0]),
            (1 << 22, [0.0, 1.0]),
            (2 << 22, [-1.0, 0.0]),
            (3 << 22, [0.0, -1.0]),
        ] {
            let z = box_muller(1 << 31, m << 8);
            assert!((z[0] - r * want[0]).abs() < 1e-6 && (z[1] - r * want[1]).abs() < 1e-6);
        }
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

    #[test]
    fn fill_matches_the_pure_function_at_every_offset_and_path() {
        for kernel in Kernel::supported_paths() {
            for (start, len) in [(0u64, 300usize), (1, 64), (3, 129), (5, 7), (62, 1000)] {
                let mut rng = stream(9, Stream::Train);
                rng.seek(4, start);
                let mut out = vec![0f32; len];
                fill_normal_with(kernel, &mut rng, &mut out);
                assert_eq!(rng.index(), start + len as u64);
                for (j, v) in out.iter().enumerate() {
                    assert_eq!(v.to_bits(), rng.normal_at(start + j as u64).to_bits());
                }
            }
        }
    }
}
