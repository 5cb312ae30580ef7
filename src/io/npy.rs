//! `.npy` arrays (NumPy format version 1.0/2.0/3.0): little-endian `f4`/`f8`; written in C
//! order, read in C or Fortran order.
//!
//! Layout: magic `\x93NUMPY`, major/minor version, header length (u16 LE for v1, u32 LE for
//! v2/v3), an ASCII Python dict `{'descr': '<f4', 'fortran_order': False, 'shape': (..), }`
//! padded with spaces and terminated by `\n` so that the data starts at a multiple of 64
//! bytes, then the raw data.

use crate::{Error, Result};
use std::path::Path;

/// Element type of an array on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// `<f4`
    F32,
    /// `<f8`
    F64,
}

/// A dense array read from a `.npy` file, converted to f64 values (C order).
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// Shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// Element type on disk.
    pub dtype: Dtype,
    /// Values in C order.
    pub data: Vec<f64>,
}

impl NpyArray {
    /// Number of elements implied by the shape.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True if the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Values converted to f32.
    pub fn to_f32(&self) -> Vec<f32> {
        self.data.iter().map(|&v| v as f32).collect()
    }
}

fn header(descr: &str, shape: &[usize]) -> Vec<u8> {
    let shape_str = match shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_str}, }}");
    // magic(6) + version(2) + len(2) + dict + padding + '\n' ≡ 0 mod 64
    let base = 10 + dict.len() + 1;
    let pad = (64 - base % 64) % 64;
    let hlen = dict.len() + pad + 1;
    let mut out = Vec::with_capacity(10 + hlen);
    out.extend_from_slice(b"\x93NUMPY");
    out.push(1);
    out.push(0);
    out.extend_from_slice(&(hlen as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.extend(std::iter::repeat_n(b' ', pad));
    out.push(b'\n');
    out
}

/// Serialise an f32 array (C order) with the given shape to `.npy` bytes (format 1.0).
pub fn to_bytes_f32(shape: &[usize], data: &[f32]) -> Result<Vec<u8>> {
    check_len(shape, data.len())?;
    let mut out = header("<f4", shape);
    out.reserve(data.len() * 4);
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    Ok(out)
}

/// Serialise an f64 array (C order) with the given shape to `.npy` bytes (format 1.0).
pub fn to_bytes_f64(shape: &[usize], data: &[f64]) -> Result<Vec<u8>> {
    check_len(shape, data.len())?;
    let mut out = header("<f8", shape);
    out.reserve(data.len() * 8);
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    Ok(out)
}

fn check_len(shape: &[usize], len: usize) -> Result<()> {
    let want: usize = shape.iter().product();
    if want != len {
        return Err(Error::invalid(
            "array",
            format!("shape {shape:?} needs {want} elements, got {len}"),
        ));
    }
    Ok(())
}

/// Write an f32 array to a `.npy` file.
pub fn write_f32(path: &Path, shape: &[usize], data: &[f32]) -> Result<()> {
    let bytes = to_bytes_f32(shape, data)?;
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// Write an f64 array to a `.npy` file.
pub fn write_f64(path: &Path, shape: &[usize], data: &[f64]) -> Result<()> {
    let bytes = to_bytes_f64(shape, data)?;
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// Why `.npy` bytes could not be read. The `Display` form is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NpyError {
    /// The bytes do not start with `\x93NUMPY`.
    #[error("not a .npy file (bad magic)")]
    BadMagic,
    /// A format version other than 1, 2 or 3.
    #[error("unsupported .npy version {0}")]
    UnsupportedVersion(u8),
    /// The file ends inside its header.
    #[error("truncated .npy header")]
    TruncatedHeader,
    /// The header is not UTF-8 text.
    #[error("header is not text")]
    HeaderNotText,
    /// A required header key (`descr`, `fortran_order`, `shape`) is missing.
    #[error("header has no '{0}'")]
    MissingKey(&'static str),
    /// An element type other than little-endian `f4`/`f8` (e.g. big-endian `>f8`, integers).
    #[error("unsupported dtype '{0}' (expected little-endian float32 '<f4' or float64 '<f8')")]
    UnsupportedDtype(String),
    /// `fortran_order` is neither `True` nor `False`.
    #[error("bad fortran_order '{0}'")]
    BadFortranOrder(String),
    /// The shape is not a tuple of non-negative integers.
    #[error("malformed shape '{0}'")]
    MalformedShape(String),
    /// The element count or byte size overflows `usize`.
    #[error("shape overflows")]
    ShapeOverflow,
    /// Fewer data bytes than the shape needs.
    #[error("truncated data: {got} bytes for shape {shape:?}, expected {need}")]
    TruncatedData {
        /// Data bytes present.
        got: usize,
        /// The shape from the header.
        shape: Vec<usize>,
        /// Data bytes the shape needs.
        need: usize,
    },
}

/// Read a `.npy` file (`<f4` or `<f8`, C or Fortran order).
pub fn read(path: &Path) -> Result<NpyArray> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    from_bytes(&bytes).map_err(|source| Error::Npy {
        path: path.into(),
        source,
    })
}

/// Parse `.npy` bytes. Little-endian `f4`/`f8` in C or Fortran order are accepted (Fortran
/// order is transposed to C order); anything else is a typed [`NpyError`].
pub fn from_bytes(bytes: &[u8]) -> std::result::Result<NpyArray, NpyError> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(NpyError::BadMagic);
    }
    let major = bytes[6];
    let (hlen, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(NpyError::TruncatedHeader);
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => return Err(NpyError::UnsupportedVersion(v)),
    };
    if bytes.len() < start + hlen {
        return Err(NpyError::TruncatedHeader);
    }
    let dict =
        std::str::from_utf8(&bytes[start..start + hlen]).map_err(|_| NpyError::HeaderNotText)?;
    let descr = dict_value(dict, "descr").ok_or(NpyError::MissingKey("descr"))?;
    let descr = descr.trim().trim_matches(|c| c == '\'' || c == '"');
    let dtype = match descr {
        "<f4" | "f4" => Dtype::F32,
        "<f8" | "f8" => Dtype::F64,
        d => return Err(NpyError::UnsupportedDtype(d.to_string())),
    };
    let fortran = dict_value(dict, "fortran_order").ok_or(NpyError::MissingKey("fortran_order"))?;
    let fortran = match fortran.trim() {
        "False" => false,
        "True" => true,
        f => return Err(NpyError::BadFortranOrder(f.to_string())),
    };
    let shape_s = dict_value(dict, "shape").ok_or(NpyError::MissingKey("shape"))?;
    let shape_s = shape_s.trim();
    let malformed = || NpyError::MalformedShape(shape_s.to_string());
    let inner = shape_s
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(malformed)?;
    let mut shape = Vec::new();
    for part in inner.split(',') {
        let p = part.trim();
        if p.is_empty() {
            continue;
        }
        shape.push(p.parse::<usize>().map_err(|_| malformed())?);
    }
    let count = shape
        .iter()
        .try_fold(1usize, |a, &s| a.checked_mul(s))
        .ok_or(NpyError::ShapeOverflow)?;
    let width = match dtype {
        Dtype::F32 => 4,
        Dtype::F64 => 8,
    };
    let data_bytes = &bytes[start + hlen..];
    let need = count.checked_mul(width).ok_or(NpyError::ShapeOverflow)?;
    if data_bytes.len() < need {
        return Err(NpyError::TruncatedData {
            got: data_bytes.len(),
            shape,
            need,
        });
    }
    let data: Vec<f64> = match dtype {
        Dtype::F32 => data_bytes[..need]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
            .collect(),
        Dtype::F64 => data_bytes[..need]
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect(),
    };
    let data = if fortran && shape.len() > 1 {
        fortran_to_c(&shape, &data)
    } else {
        data
    };
    Ok(NpyArray { shape, dtype, data })
}

/// Reorder column-major (Fortran) values into row-major (C) order.
fn fortran_to_c(shape: &[usize], data: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; data.len()];
    let mut index = vec![0usize; shape.len()];
    for v in out.iter_mut() {
        // `index` runs through C order; its Fortran offset has the first axis fastest.
        let mut offset = 0;
        for k in (0..shape.len()).rev() {
            offset = offset * shape[k] + index[k];
        }
        *v = data[offset];
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    out
}

/// The raw text of `key`'s value in a Python dict literal (up to the next top-level comma).
fn dict_value<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let pats = [format!("'{key}'"), format!("\"{key}\"")];
    let pos = pats
        .iter()
        .find_map(|p| dict.find(p.as_str()).map(|i| i + p.len()))?;
    let rest = dict[pos..].trim_start().strip_prefix(':')?;
    let mut depth = 0i32;
    for (i, ch) in rest.char_indices() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' | '}' if depth == 0 => return Some(&rest[..i]),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout_matches_the_npy_spec() {
        let b = to_bytes_f32(&[100, 2], &vec![0.5; 200]).unwrap();
        assert_eq!(&b[..8], b"\x93NUMPY\x01\x00");
        let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
        assert_eq!((10 + hlen) % 64, 0);
        let h = std::str::from_utf8(&b[10..10 + hlen]).unwrap();
        assert!(h.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (100, 2), }"));
        assert!(h.ends_with('\n'));
        assert_eq!(b.len(), 10 + hlen + 800);
        assert_eq!(&b[10 + hlen..10 + hlen + 4], &0.5f32.to_le_bytes());
        let one = to_bytes_f64(&[3], &[1.0, 2.0, 3.0]).unwrap();
        let h1 = String::from_utf8_lossy(&one[10..64]);
        assert!(h1.contains("'shape': (3,)"), "{h1}");
        let arr = from_bytes(&one).unwrap();
        assert_eq!(arr.shape, vec![3]);
        assert_eq!(arr.data, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn corrupt_inputs_are_errors() {
        assert!(from_bytes(b"hello").is_err());
        let b = to_bytes_f32(&[4], &[1.0; 4]).unwrap();
        assert!(matches!(
            from_bytes(&b[..b.len() - 1]),
            Err(NpyError::TruncatedData { need: 16, .. })
        ));
        assert!(from_bytes(&b[..20]).is_err());
        assert!(to_bytes_f32(&[3], &[1.0; 4]).is_err());
    }
}
