//! `.npy` / `.npz` files and saved networks: round trips, byte layout, corrupt input.

use dynphase::io::network::{load_full_rank, load_rank2, save_full_rank, save_rank2};
use dynphase::io::{history, npy, npz};
use dynphase::rnn::model::{FullRankParams, Rank2Params};
use dynphase::rnn::train::History;

#[test]
fn full_rank_npz_round_trip_and_layout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.npz");
    let p = FullRankParams::<f32>::init(100, 4);
    save_full_rank(&path, &p).unwrap();
    assert_eq!(load_full_rank(&path).unwrap(), p);
    let bytes = std::fs::read(&path).unwrap();
    // ZIP local header of the first entry, stored (method 0), named w_in.npy.
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0);
    let nlen = u16::from_le_bytes([bytes[26], bytes[27]]) as usize;
    assert_eq!(&bytes[30..30 + nlen], b"w_in.npy");
    let npy0 = 30 + nlen;
    assert_eq!(&bytes[npy0..npy0 + 8], b"\x93NUMPY\x01\x00");
    let hlen = u16::from_le_bytes([bytes[npy0 + 8], bytes[npy0 + 9]]) as usize;
    assert_eq!((10 + hlen) % 64, 0);
    let head = std::str::from_utf8(&bytes[npy0 + 10..npy0 + 10 + hlen]).unwrap();
    assert!(head.contains("'descr': '<f4'"));
    assert!(head.contains("'fortran_order': False"));
    assert!(head.contains("'shape': (100, 2)"));
    // First element, little-endian f32, C order (row 0, column 0).
    let d = npy0 + 10 + hlen;
    assert_eq!(
        f32::from_le_bytes(bytes[d..d + 4].try_into().unwrap()),
        p.w_in[0]
    );
    let arrays = npz::read(&path).unwrap();
    let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["w_in", "b_in", "w_rec", "b_rec", "w_out", "b_out"]);
    assert_eq!(arrays[2].1.shape, vec![100, 100]);
    assert_eq!(arrays[5].1.shape, vec![2]);
}

#[test]
fn rank2_npz_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r2.npz");
    let p = Rank2Params::<f32>::init(100, 30);
    save_rank2(&path, &p).unwrap();
    assert_eq!(load_rank2(&path).unwrap(), p);
    let shapes: Vec<Vec<usize>> = npz::read(&path)
        .unwrap()
        .into_iter()
        .map(|(_, a)| a.shape)
        .collect();
    assert_eq!(
        shapes,
        vec![
            vec![100, 2],
            vec![2, 100],
            vec![100],
            vec![2],
            vec![1],
            vec![100]
        ]
    );
    let json =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rank2_seed30_init.json");
    let r = load_rank2(&json).unwrap();
    assert_eq!(r.m[0], -0.193_085_33);
    assert_eq!(r.m[1], 0.090_580_836);
    assert!(r.b.iter().all(|&b| b == 0.0));
}

#[test]
fn deflated_entries_are_read() {
    let a = npy::to_bytes_f64(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let b = npz::to_bytes_with(&[("x".to_string(), a)], true);
    assert_eq!(u16::from_le_bytes([b[8], b[9]]), 8);
    let arrays = npz::from_bytes(&b).unwrap();
    assert_eq!(arrays[0].0, "x");
    assert_eq!(arrays[0].1.shape, vec![2, 3]);
    assert_eq!(arrays[0].1.data[5], 6.0);
}

#[test]
fn corrupt_truncated_and_wrong_files_give_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("net.npz");
    save_full_rank(&good, &FullRankParams::<f32>::init(10, 0)).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    // Truncated.
    let t = dir.path().join("trunc.npz");
    std::fs::write(&t, &bytes[..bytes.len() / 2]).unwrap();
    let e = load_full_rank(&t).unwrap_err().to_string();
    assert!(e.contains("trunc.npz"), "{e}");
    // Flipped data byte -> CRC mismatch.
    let mut c = bytes.clone();
    c[200] ^= 0xff;
    let cp = dir.path().join("crc.npz");
    std::fs::write(&cp, &c).unwrap();
    let e = load_full_rank(&cp).unwrap_err().to_string();
    assert!(e.contains("CRC") || e.contains("corrupt"), "{e}");
    // A rank-2 file is not a full-rank network: missing arrays are named.
    let r2 = dir.path().join("r2.npz");
    save_rank2(&r2, &Rank2Params::<f32>::init(10, 0)).unwrap();
    let e = load_full_rank(&r2).unwrap_err().to_string();
    assert!(
        e.contains("missing array(s): w_in, b_in, w_rec, b_rec"),
        "{e}"
    );
    // Wrong shape.
    let mut arrays = vec![];
    for (name, shape, n) in [
        ("w_in", vec![10, 2], 20),
        ("b_in", vec![10], 10),
        ("w_rec", vec![10, 9], 90),
        ("b_rec", vec![10], 10),
        ("w_out", vec![2, 10], 20),
        ("b_out", vec![2], 2),
    ] {
        arrays.push((name, shape, vec![0.0f32; n]));
    }
    let ws = dir.path().join("shape.npz");
    npz::write_f32(&ws, &arrays).unwrap();
    let e = load_full_rank(&ws).unwrap_err().to_string();
    assert!(
        e.contains("'w_rec' has shape [10, 9], expected [10, 10]"),
        "{e}"
    );
    // Not a file at all / not a zip.
    assert!(load_full_rank(&dir.path().join("none.npz")).is_err());
    let txt = dir.path().join("text.npz");
    std::fs::write(&txt, "hello").unwrap();
    assert!(load_full_rank(&txt).is_err());
    // A (T, N) rate matrix as .npy.
    let rp = dir.path().join("rates.npy");
    npy::write_f32(&rp, &[3, 4], &(0..12).map(|i| i as f32).collect::<Vec<_>>()).unwrap();
    let a = npy::read(&rp).unwrap();
    assert_eq!(a.shape, vec![3, 4]);
    assert_eq!(a.data[7], 7.0);
}

#[test]
fn history_csv_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.csv");
    let h = History {
        loss: vec![0.5, 0.25],
        grad_norm: vec![1.5, f64::NAN],
        accuracy: vec![0.9531, 1.0],
        reliability: vec![0.95, 0.9],
    };
    history::write_csv(&path, &h).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("epoch,loss,grad_norm,accuracy,reliability\n0,0.5,1.5,0.9531,0.95\n"));
    let back = history::read_csv(&path).unwrap();
    assert_eq!(back.loss, h.loss);
    assert!(back.grad_norm[1].is_nan());
}
