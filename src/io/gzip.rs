//! Reading gzip files (RFC 1952), such as the committed `paper_figures/data/NAME_runs.jsonl.gz`
//! records: one member, deflate (miniz_oxide), checked against its CRC-32 and length.

use std::path::Path;

use crate::{Error, Result};

const FTEXT_MASK: u8 = 0xe0;
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// Decompress a single-member gzip stream, checking its CRC-32 and size; the error says what
/// is wrong with the stream.
fn gunzip(data: &[u8]) -> std::result::Result<Vec<u8>, String> {
    if data.len() < 18 || data[0] != 0x1f || data[1] != 0x8b {
        return Err("not a gzip file".into());
    }
    if data[2] != 8 {
        return Err(format!("unsupported gzip compression method {}", data[2]));
    }
    let flags = data[3];
    if flags & FTEXT_MASK != 0 {
        return Err("reserved gzip header flags set".into());
    }
    let truncated = || "truncated gzip header".to_string();
    let mut pos = 10usize;
    if flags & FEXTRA != 0 {
        let xlen = data
            .get(pos..pos + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
            .ok_or_else(truncated)?;
        pos += 2 + xlen;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let end = data
                .get(pos..)
                .and_then(|rest| rest.iter().position(|&b| b == 0))
                .ok_or_else(truncated)?;
            pos += end + 1;
        }
    }
    if flags & FHCRC != 0 {
        pos += 2;
    }
    if pos + 8 > data.len() {
        return Err(truncated());
    }
    let body = &data[pos..data.len() - 8];
    let out = miniz_oxide::inflate::decompress_to_vec(body)
        .map_err(|e| format!("corrupt gzip data ({:?})", e.status))?;
    let trailer = &data[data.len() - 8..];
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    if crc32fast::hash(&out) != crc || out.len() as u32 != size {
        return Err("gzip checksum mismatch (corrupt, or several concatenated members)".into());
    }
    Ok(out)
}

/// Read and decompress the gzip file at `path` ([`Error::Format`] naming the file if it is
/// not a valid single-member gzip file).
pub fn read_gz(path: &Path) -> Result<Vec<u8>> {
    let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    gunzip(&data).map_err(|m| Error::format(path, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gzip member around `raw` with a file name in the header.
    fn gzip(raw: &[u8]) -> Vec<u8> {
        let mut v = vec![0x1f, 0x8b, 8, FNAME, 0, 0, 0, 0, 0, 3];
        v.extend_from_slice(b"runs.jsonl\0");
        v.extend(miniz_oxide::deflate::compress_to_vec(raw, 6));
        v.extend(crc32fast::hash(raw).to_le_bytes());
        v.extend((raw.len() as u32).to_le_bytes());
        v
    }

    #[test]
    fn round_trip_and_corruption() {
        let raw = b"{\"a\":1}\n{\"b\":2}\n".repeat(50);
        let gz = gzip(&raw);
        assert_eq!(gunzip(&gz).unwrap(), raw);
        let mut bad = gz.clone();
        let n = bad.len();
        bad[n - 6] ^= 1; // CRC byte
        assert!(gunzip(&bad).unwrap_err().contains("checksum"));
        assert!(gunzip(b"plain text, not gzip").is_err());
        assert!(gunzip(&gz[..12]).is_err());
    }
}
