//! Helpers shared by the integration tests (`mod common;` in each test file).
//!
//! Not every test file uses every helper.
#![allow(dead_code)]

use std::path::PathBuf;
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
