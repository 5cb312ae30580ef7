//! `.npz` archives: a ZIP file of `.npy` entries (`name.npy`), as written by `numpy.savez`.
//!
//! Written entries are stored uncompressed with CRC-32 (crc32fast); reading accepts stored
//! and deflate (miniz_oxide) entries and checks CRCs. ZIP64 is not supported (arrays here are
//! far below 4 GiB).

use super::npy::{self, NpyArray};
use crate::{Error, Result};
use std::path::Path;

/// Build `.npz` bytes from named `.npy` payloads (names without the `.npy` suffix), stored
/// uncompressed (as `numpy.savez`).
pub fn to_bytes(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    to_bytes_with(entries, false)
}

/// Build `.npz` bytes; with `deflate` the entries are compressed (as `numpy.savez_compressed`).
pub fn to_bytes_with(entries: &[(String, Vec<u8>)], deflate: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, raw) in entries {
        let fname = format!("{name}.npy");
        let crc = crc32fast::hash(raw);
        let packed;
        let (data, method) = if deflate {
            packed = miniz_oxide::deflate::compress_to_vec(raw, 6);
            (&packed, 8u16)
        } else {
            (raw, 0u16)
        };
        let offset = out.len() as u32;
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(raw.len() as u32).to_le_bytes());
        out.extend_from_slice(&(fname.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(fname.as_bytes());
        out.extend_from_slice(data);
        // Central directory record.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&20u16.to_le_bytes()); // needed
        central.extend_from_slice(&0u16.to_le_bytes()); // flags
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // time
        central.extend_from_slice(&0x21u16.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(raw.len() as u32).to_le_bytes());
        central.extend_from_slice(&(fname.len() as u16).to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // extra
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attr
        central.extend_from_slice(&0u32.to_le_bytes()); // external attr
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(fname.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Write named f32 arrays `(name, shape, data)` to an `.npz` file.
pub fn write_f32(path: &Path, arrays: &[(&str, Vec<usize>, Vec<f32>)]) -> Result<()> {
    let mut entries = Vec::with_capacity(arrays.len());
    for (name, shape, data) in arrays {
        entries.push((name.to_string(), npy::to_bytes_f32(shape, data)?));
    }
    std::fs::write(path, to_bytes(&entries)).map_err(|e| Error::io(path, e))
}

/// Why `.npz` bytes could not be read. The `Display` form is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NpzError {
    /// No ZIP end-of-central-directory record.
    #[error("not a zip archive (no end-of-central-directory record)")]
    NotZip,
    /// A ZIP structure ends early.
    #[error("truncated zip structure")]
    Truncated,
    /// A central-directory record has a bad signature.
    #[error("corrupt central directory")]
    CorruptDirectory,
    /// An entry's local header has a bad signature.
    #[error("corrupt local header for '{0}'")]
    CorruptLocalHeader(String),
    /// An entry's data run past the end of the file.
    #[error("entry '{0}' is truncated")]
    EntryTruncated(String),
    /// An entry's deflate stream is invalid.
    #[error("entry '{entry}': invalid deflate stream")]
    Deflate {
        /// Entry name.
        entry: String,
    },
    /// A compression method other than stored (0) or deflate (8).
    #[error("entry '{entry}': unsupported compression method {method}")]
    UnsupportedCompression {
        /// Entry name.
        entry: String,
        /// ZIP method code.
        method: u16,
    },
    /// Size or CRC-32 of the unpacked entry does not match the directory.
    #[error("entry '{0}': CRC or size mismatch (corrupt file)")]
    Checksum(String),
    /// The entry is not a readable `.npy` array.
    #[error("entry '{entry}': {source}")]
    Entry {
        /// Entry name.
        entry: String,
        /// Why the array could not be read.
        #[source]
        source: npy::NpyError,
    },
}

fn u16_at(b: &[u8], i: usize) -> std::result::Result<u16, NpzError> {
    b.get(i..i + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or(NpzError::Truncated)
}

fn u32_at(b: &[u8], i: usize) -> std::result::Result<u32, NpzError> {
    b.get(i..i + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or(NpzError::Truncated)
}

/// Parse `.npz` bytes into `(name, array)` pairs in archive order (names without `.npy`).
pub fn from_bytes(b: &[u8]) -> std::result::Result<Vec<(String, NpyArray)>, NpzError> {
    // End of central directory: search backwards for its signature.
    if b.len() < 22 {
        return Err(NpzError::NotZip);
    }
    let eocd = (0..=b.len() - 22)
        .rev()
        .take(65_557)
        .find(|&i| b[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or(NpzError::NotZip)?;
    let count = u16_at(b, eocd + 10)? as usize;
    let mut p = u32_at(b, eocd + 16)? as usize;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(b, p)? != 0x0201_4b50 {
            return Err(NpzError::CorruptDirectory);
        }
        let method = u16_at(b, p + 10)?;
        let crc = u32_at(b, p + 16)?;
        let csize = u32_at(b, p + 20)? as usize;
        let usize_ = u32_at(b, p + 24)? as usize;
        let nlen = u16_at(b, p + 28)? as usize;
        let xlen = u16_at(b, p + 30)? as usize;
        let clen = u16_at(b, p + 32)? as usize;
        let local = u32_at(b, p + 42)? as usize;
        let name = b.get(p + 46..p + 46 + nlen).ok_or(NpzError::Truncated)?;
        let name = String::from_utf8_lossy(name).to_string();
        p += 46 + nlen + xlen + clen;
        if u32_at(b, local)? != 0x0403_4b50 {
            return Err(NpzError::CorruptLocalHeader(name));
        }
        let lnlen = u16_at(b, local + 26)? as usize;
        let lxlen = u16_at(b, local + 28)? as usize;
        let start = local + 30 + lnlen + lxlen;
        let Some(raw) = b.get(start..start + csize) else {
            return Err(NpzError::EntryTruncated(name));
        };
        let data = match method {
            0 => raw.to_vec(),
            8 => match miniz_oxide::inflate::decompress_to_vec_with_limit(
                raw,
                usize_.max(1) * 2 + 64,
            ) {
                Ok(d) => d,
                Err(_) => return Err(NpzError::Deflate { entry: name }),
            },
            method => {
                return Err(NpzError::UnsupportedCompression {
                    entry: name,
                    method,
                })
            }
        };
        if data.len() != usize_ || crc32fast::hash(&data) != crc {
            return Err(NpzError::Checksum(name));
        }
        let arr = match npy::from_bytes(&data) {
            Ok(a) => a,
            Err(source) => {
                return Err(NpzError::Entry {
                    entry: name,
                    source,
                })
            }
        };
        let key = name.strip_suffix(".npy").unwrap_or(&name).to_string();
        out.push((key, arr));
    }
    Ok(out)
}

/// Read all arrays of an `.npz` file.
pub fn read(path: &Path) -> Result<Vec<(String, NpyArray)>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    from_bytes(&bytes).map_err(|source| Error::Npz {
        path: path.into(),
        source,
    })
}
