//! Helpers shared by the integration tests (`mod common;` in each test file).
//!
//! Not every test file uses every helper.
#![allow(dead_code)]

use std::path::PathBuf;

/// Relative error |a − b| / |b| of `a` against the reference `b`.
pub fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}
use std::process::Command;

/// Run the `dynphase` binary with `args`: (exit status success, stdout, stderr).
pub fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dynphase"))
        .args(args)
        .output()
        .expect("the dynphase binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The text after `key: ` on the first output line that starts with it.
pub fn field<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no '{key}' in {out}"))
}

/// [`field`] parsed as a number.
pub fn value(out: &str, key: &str) -> f64 {
    let v = field(out, key).trim();
    v.parse()
        .unwrap_or_else(|_| panic!("'{key}: {v}' is not a number"))
}

/// A file under `tests/data/`.
pub fn data_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// FNV-1a (64 bit) over the little-endian bytes of `f64` values.
pub fn fnv1a_f64<'a>(slices: impl IntoIterator<Item = &'a [f64]>) -> u64 {
    fnv1a(
        slices
            .into_iter()
            .flat_map(|s| s.iter().flat_map(|x| x.to_le_bytes())),
    )
}

/// FNV-1a (64 bit) over the little-endian bytes of `f32` values.
pub fn fnv1a_f32<'a>(slices: impl IntoIterator<Item = &'a [f32]>) -> u64 {
    fnv1a(
        slices
            .into_iter()
            .flat_map(|s| s.iter().flat_map(|x| x.to_le_bytes())),
    )
}

fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
