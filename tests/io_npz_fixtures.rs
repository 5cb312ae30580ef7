//! The `.npz`/`.npy` reader on files written by numpy itself (`tests/data/npz/`, made by
//! `tests/data/make_npz_fixtures.py`): `np.savez`, `np.savez_compressed`, Fortran-order arrays,
//! and the formats that must be refused with a clear error (big-endian, integer dtypes).

use dynphase::io::npy::{self, Dtype, NpyArray, NpyError};
use dynphase::io::npz::{self, NpzError};
use dynphase::Error;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/npz")
        .join(name)
}

/// The closed forms the generator script uses.
fn expected_a() -> Vec<f64> {
    (0..3)
        .flat_map(|i| (0..4).map(move |j| 1000.0 * i as f64 + j as f64 + 0.5))
        .collect()
}

fn expected_t() -> Vec<f64> {
    (0..2)
        .flat_map(|i| (0..3).flat_map(move |j| (0..4).map(move |k| (100 * i + 10 * j + k) as f64)))
        .collect()
}

fn expected_v() -> Vec<f64> {
    (0..5).map(|k| 0.25 * k as f64 - 1.0).collect()
}

fn get<'a>(arrays: &'a [(String, NpyArray)], name: &str) -> &'a NpyArray {
    &arrays.iter().find(|(n, _)| n == name).unwrap().1
}

fn check_all_four(arrays: &[(String, NpyArray)]) {
    let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["a", "v", "t", "s"]);
    let a = get(arrays, "a");
    assert_eq!((a.shape.as_slice(), a.dtype), (&[3, 4][..], Dtype::F32));
    assert_eq!(a.data, expected_a());
    let v = get(arrays, "v");
    assert_eq!((v.shape.as_slice(), v.dtype), (&[5][..], Dtype::F64));
    assert_eq!(v.data, expected_v());
    let t = get(arrays, "t");
    assert_eq!(t.shape, [2, 3, 4]);
    assert_eq!(t.data, expected_t());
    let s = get(arrays, "s");
    assert!(s.shape.is_empty(), "0-d array has shape ()");
    assert_eq!(s.data, [3.5]);
}

#[test]
fn numpy_savez_is_read_exactly() {
    check_all_four(&npz::read(&fixture("savez.npz")).unwrap());
}

#[test]
fn numpy_savez_compressed_is_read_exactly() {
    let bytes = std::fs::read(fixture("savez_compressed.npz")).unwrap();
    // The first entry is deflated (ZIP method 8), so this exercises the inflater.
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 8);
    check_all_four(&npz::from_bytes(&bytes).unwrap());
}

#[test]
fn fortran_order_arrays_come_back_in_c_order() {
    let arrays = npz::read(&fixture("fortran.npz")).unwrap();
    assert_eq!(get(&arrays, "a").shape, [3, 4]);
    assert_eq!(get(&arrays, "a").data, expected_a());
    assert_eq!(get(&arrays, "t").data, expected_t());
    let t = npy::read(&fixture("t_fortran.npy")).unwrap();
    assert_eq!(t.shape, [2, 3, 4]);
    assert_eq!(t.data, expected_t());
    let a = npy::read(&fixture("a_f4.npy")).unwrap();
    assert_eq!(a.data, expected_a());
}

#[test]
fn big_endian_and_integer_arrays_are_refused_clearly() {
    let e = npz::read(&fixture("big_endian.npz")).unwrap_err();
    match &e {
        Error::Npz {
            source: NpzError::Entry { entry, source },
            ..
        } => {
            assert_eq!(entry, "a.npy");
            assert_eq!(source, &NpyError::UnsupportedDtype(">f4".into()));
        }
        other => panic!("unexpected error {other:?}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains("big_endian.npz") && msg.contains("'>f4'") && !msg.contains('\n'),
        "{msg}"
    );
    // The typed cause is kept as the error's source.
    assert!(std::error::Error::source(&e).is_some());

    let e = npz::read(&fixture("int64.npz")).unwrap_err().to_string();
    assert!(e.contains("'<i8'"), "{e}");
    let e = npy::read(&fixture("v_big_endian.npy")).unwrap_err();
    assert!(
        matches!(&e, Error::Npy { source: NpyError::UnsupportedDtype(d), .. } if d == ">f8"),
        "{e:?}"
    );
}
