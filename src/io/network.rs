//! Saved networks (docs/models.md, "Parameter files").
//!
//! Full-rank `.npz`: `w_in [N,2], b_in [N], w_rec [N,N], b_rec [N], w_out [2,N], b_out [2]`;
//! rank-2 `.npz`: `m [N,2], n [2,N], b [N], w_out [2], b_out [1], x0 [N]`; float32, C order,
//! PyTorch orientation. Rank-2 parameters can also be read from the reference's JSON export
//! (nested lists with the same names and shapes, e.g. `tests/data/rank2_seed30_init.json`).

use super::npy::NpyArray;
use super::npz;
use crate::rnn::model::{FullRankParams, Rank2Params, FULL_RANK_NAMES, RANK2_NAMES};
use crate::{Error, Result};
use std::path::Path;

fn pack(
    names: &[&'static str; 6],
    shapes: [Vec<usize>; 6],
    tensors: [&[f32]; 6],
) -> Vec<(&'static str, Vec<usize>, Vec<f32>)> {
    names
        .iter()
        .zip(shapes)
        .zip(tensors)
        .map(|((n, s), t)| (*n, s, t.to_vec()))
        .collect()
}

/// Save full-rank parameters as `.npz`.
pub fn save_full_rank(path: &Path, p: &FullRankParams<f32>) -> Result<()> {
    p.validate()?;
    let n = p.n_hidden();
    npz::write_f32(
        path,
        &pack(
            &FULL_RANK_NAMES,
            FullRankParams::<f32>::shapes(n),
            p.tensors(),
        ),
    )
}

/// Save rank-2 parameters as `.npz`.
pub fn save_rank2(path: &Path, p: &Rank2Params<f32>) -> Result<()> {
    p.validate()?;
    let n = p.n_hidden();
    npz::write_f32(
        path,
        &pack(&RANK2_NAMES, Rank2Params::<f32>::shapes(n), p.tensors()),
    )
}

/// Pick the named arrays in order, checking presence and exact shapes (N from `n_of`).
fn take(
    path: &Path,
    arrays: Vec<(String, NpyArray)>,
    names: &[&str; 6],
    n_key: &str,
    shapes: impl Fn(usize) -> [Vec<usize>; 6],
) -> Result<Vec<Vec<f32>>> {
    let get = |name: &str| arrays.iter().find(|(k, _)| k == name).map(|(_, a)| a);
    let missing: Vec<&str> = names.iter().copied().filter(|n| get(n).is_none()).collect();
    if !missing.is_empty() {
        return Err(Error::format(
            path,
            format!("missing array(s): {}", missing.join(", ")),
        ));
    }
    let nb = get(n_key).expect("present");
    if nb.shape.len() != 1 || nb.shape[0] == 0 {
        return Err(Error::format(
            path,
            format!("array '{n_key}' must have shape [N], got {:?}", nb.shape),
        ));
    }
    let n = nb.shape[0];
    let want = shapes(n);
    let mut out = Vec::with_capacity(6);
    for (name, s) in names.iter().zip(want.iter()) {
        let a = get(name).expect("present");
        if &a.shape != s {
            return Err(Error::format(
                path,
                format!(
                    "array '{name}' has shape {:?}, expected {:?} (N = {n})",
                    a.shape, s
                ),
            ));
        }
        let v = a.to_f32();
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            return Err(Error::format(
                path,
                format!(
                    "array '{name}' holds a non-finite value ({}) at flat index {i}: not a usable network",
                    v[i]
                ),
            ));
        }
        out.push(v);
    }
    Ok(out)
}

/// Load full-rank parameters from `.npz`.
pub fn load_full_rank(path: &Path) -> Result<FullRankParams<f32>> {
    let arrays = npz::read(path)?;
    let mut v = take(
        path,
        arrays,
        &FULL_RANK_NAMES,
        "b_in",
        FullRankParams::<f32>::shapes,
    )?
    .into_iter();
    let mut next = || v.next().expect("six arrays");
    Ok(FullRankParams {
        w_in: next(),
        b_in: next(),
        w_rec: next(),
        b_rec: next(),
        w_out: next(),
        b_out: next(),
    })
}

/// Load rank-2 parameters from `.npz`, or from the reference JSON if the file name ends
/// in `.json`.
pub fn load_rank2(path: &Path) -> Result<Rank2Params<f32>> {
    let arrays = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        read_json_arrays(path)?
    } else {
        npz::read(path)?
    };
    rank2_from_arrays(path, arrays)
}

/// The six rank-2 arrays (m, n, b, w_out, b_out, x0) of a named-array file.
fn rank2_from_arrays(path: &Path, arrays: Vec<(String, NpyArray)>) -> Result<Rank2Params<f32>> {
    let mut v = take(path, arrays, &RANK2_NAMES, "b", Rank2Params::<f32>::shapes)?.into_iter();
    let mut next = || v.next().expect("six arrays");
    Ok(Rank2Params {
        m: next(),
        n: next(),
        b: next(),
        w_out: next(),
        b_out: next(),
        x0: next(),
    })
}

/// Read a JSON object of (nested) numeric lists as named f64 arrays with their shapes.
pub fn read_json_arrays(path: &Path) -> Result<Vec<(String, NpyArray)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    json_arrays_from_str(&text, path)
}

/// Rank-2 parameters from the text of a reference JSON export (`name` is used in errors).
pub fn rank2_from_json_str(text: &str, name: &Path) -> Result<Rank2Params<f32>> {
    rank2_from_arrays(name, json_arrays_from_str(text, name)?)
}

/// Parse a JSON object of (nested) numeric lists; `path` is used in error messages.
pub fn json_arrays_from_str(text: &str, path: &Path) -> Result<Vec<(String, NpyArray)>> {
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::format(path, format!("invalid JSON: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| Error::format(path, "expected a JSON object of arrays"))?;
    let mut out = Vec::new();
    for (k, val) in obj {
        let mut shape = Vec::new();
        let mut cur = val;
        while let Some(a) = cur.as_array() {
            shape.push(a.len());
            match a.first() {
                Some(f) => cur = f,
                None => break,
            }
        }
        let mut data = Vec::new();
        flatten(val, &mut data).map_err(|r| Error::format(path, format!("array '{k}': {r}")))?;
        if data.len() != shape.iter().product::<usize>() {
            return Err(Error::format(path, format!("array '{k}' is ragged")));
        }
        out.push((
            k.clone(),
            NpyArray {
                shape,
                dtype: super::npy::Dtype::F32,
                data,
            },
        ));
    }
    Ok(out)
}

fn flatten(v: &serde_json::Value, out: &mut Vec<f64>) -> std::result::Result<(), String> {
    match v {
        serde_json::Value::Array(a) => a.iter().try_for_each(|x| flatten(x, out)),
        serde_json::Value::Number(n) => {
            out.push(n.as_f64().ok_or("non-finite number")?);
            Ok(())
        }
        _ => Err("non-numeric entry".into()),
    }
}
