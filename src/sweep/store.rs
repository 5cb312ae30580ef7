//! The sweep directory: `runs.jsonl` (one record per finished network, append-only) and
//! `sweep.json` (the manifest: preset, overrides, executor, shard).
//!
//! **Crash safety.** Each record is written as one `write_all` of a complete line to a file
//! opened with `O_APPEND`, under a mutex, then flushed and `fsync`ed. A kill can therefore
//! leave at most the very last line incomplete. On resume the store reads every line; a last
//! line without its newline, or a last line that is not a valid record, is cut off (and
//! reported); a bad line anywhere else is an error naming its line number, since it cannot
//! come from an interrupted append. Finished ids are skipped, so a kill loses only the runs in
//! flight and never duplicates a record.
//!
//! One process per directory: two processes appending to the same `runs.jsonl` are not
//! supported (use one directory per shard and `dynphase merge`).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::preset::Overrides;
use super::record::{line_error, RunRecord};
use crate::{Error, Result};

/// File name of the record store inside a sweep directory.
pub const RUNS_FILE: &str = "runs.jsonl";
/// File name of the manifest inside a sweep directory.
pub const MANIFEST_FILE: &str = "sweep.json";

/// What a sweep directory was made with. A resume must match it exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format version (1).
    pub format: u32,
    /// Preset name (`merged` for the output of `dynphase merge` with differing inputs).
    pub preset: String,
    /// Overrides applied to the preset.
    pub overrides: Overrides,
    /// Executor name: `train` (the real trainer) or `fake` (testing aid).
    pub executor: String,
    /// Accuracy-window convention: `reference` (default) or `corrected` (docs/outcomes.md).
    #[serde(default = "reference_window")]
    pub window: String,
    /// Post period in the classifier's extended trial: `exclude` (default) or `include`.
    #[serde(default = "exclude_post")]
    pub classifier_post: String,
    /// Shard as `I/N` (0-based), or `None` for the whole grid.
    pub shard: Option<String>,
    /// For merged directories with differing inputs: the input manifests (deduplicated).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<Manifest>,
    /// Version of the random streams the records were drawn from
    /// ([`crate::rnn::rng::STREAM_VERSION`]); manifests without the field are version 1.
    #[serde(default = "stream_v1")]
    pub stream_version: u32,
    /// Kernel paths that computed the records, comma-separated (`avx512`, `avx2`,
    /// `portable`). Informational: every path gives the same bits, so a sweep may be resumed
    /// or merged across paths ([`Manifest::same_sweep`] ignores this field).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kernel: String,
}

fn stream_v1() -> u32 {
    1
}

fn exclude_post() -> String {
    "exclude".to_string()
}

fn reference_window() -> String {
    "reference".to_string()
}

impl Manifest {
    /// True if both describe the same sweep (everything but the kernel paths agrees).
    pub fn same_sweep(&self, other: &Manifest) -> bool {
        let bare = |m: &Manifest| Manifest {
            kernel: String::new(),
            ..m.clone()
        };
        bare(self) == bare(other)
    }

    /// `self` with the kernel paths of `other` added (`None` if nothing is new).
    pub fn adding_kernels(&self, other: &str) -> Option<Manifest> {
        let mut ks: Vec<&str> = self.kernel.split(',').filter(|k| !k.is_empty()).collect();
        let before = ks.len();
        for k in other.split(',').filter(|k| !k.is_empty()) {
            if !ks.contains(&k) {
                ks.push(k);
            }
        }
        (ks.len() > before).then(|| Manifest {
            kernel: ks.join(","),
            ..self.clone()
        })
    }

    /// Write the manifest as pretty JSON to `dir/sweep.json`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(MANIFEST_FILE);
        let mut s = serde_json::to_string_pretty(self).expect("manifest serialises");
        s.push('\n');
        std::fs::write(&path, s).map_err(|e| Error::io(&path, e))
    }

    /// Read `dir/sweep.json`, `Ok(None)` if it does not exist.
    pub fn read(dir: &Path) -> Result<Option<Manifest>> {
        Manifest::read_file(&dir.join(MANIFEST_FILE))
    }

    /// The manifest in the file `path` (e.g. a committed `NAME_sweep.json`), `None` if there
    /// is no such file.
    pub fn read_file(path: &Path) -> Result<Option<Manifest>> {
        match std::fs::read_to_string(path) {
            Ok(s) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|e| Error::format(path, format!("not a sweep manifest: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path, e)),
        }
    }
}

/// A bad final line found while reading a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTail {
    /// 1-based line number of the bad line.
    pub line_no: usize,
    /// Byte length of the good prefix (where the file should be cut).
    pub good_len: u64,
    /// Number of bytes in the bad tail.
    pub bad_bytes: u64,
    /// Why it is bad.
    pub reason: String,
}

/// Contents of a `runs.jsonl` file.
#[derive(Debug, Clone)]
pub struct StoreContents {
    /// The valid records, in file order.
    pub records: Vec<RunRecord>,
    /// A bad (truncated or corrupt) final line, if any.
    pub bad_tail: Option<BadTail>,
}

/// Read and validate a `runs.jsonl` file (a missing file reads as empty).
///
/// Errors: a corrupt line that is not the last one, or the same id twice.
pub fn read_store(path: &Path) -> Result<StoreContents> {
    let mut records = Vec::new();
    let bad_tail = scan_store(path, &mut |r| records.push(r))?;
    Ok(StoreContents { records, bad_tail })
}

/// Stream the valid records of a `runs.jsonl` file through `on_record`, in file order,
/// without holding the file in memory; returns the bad final line, if any (see
/// [`read_store`] for the rules). A path ending in `.gz` (the committed
/// `paper_figures/data/NAME_runs.jsonl.gz`) is decompressed in memory first.
pub fn scan_store(path: &Path, on_record: &mut dyn FnMut(RunRecord)) -> Result<Option<BadTail>> {
    if path.extension().is_some_and(|e| e == "gz") {
        if !path.exists() {
            return Ok(None);
        }
        let raw = crate::io::gzip::read_gz(path)?;
        return scan_reader(path, std::io::Cursor::new(raw), on_record);
    }
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    scan_reader(
        path,
        std::io::BufReader::with_capacity(1 << 20, file),
        on_record,
    )
}

/// [`scan_store`] on an open reader; `path` names it in errors.
fn scan_reader(
    path: &Path,
    mut reader: impl std::io::BufRead,
    on_record: &mut dyn FnMut(RunRecord),
) -> Result<Option<BadTail>> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut offset = 0u64;
    let mut line_no = 0usize;
    // A line that failed to parse, kept until we know whether it is the last one.
    let mut pending_bad: Option<(usize, u64, u64, String)> = None;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        if let Some((no, _, _, why)) = pending_bad.take() {
            return Err(line_error(
                path,
                no,
                &format!("corrupt record in the middle of the file: {why}"),
            ));
        }
        line_no += 1;
        let complete = buf.last() == Some(&b'\n');
        let body = if complete { &buf[..n - 1] } else { &buf[..] };
        let parsed = std::str::from_utf8(body)
            .map_err(|_| super::record::RecordError::NotUtf8)
            .and_then(RunRecord::from_line);
        match (parsed, complete) {
            (Ok(r), true) => {
                if let Some(prev) = seen.insert(r.id.clone(), line_no) {
                    return Err(line_error(
                        path,
                        line_no,
                        &format!("duplicate record for {} (first at line {prev})", r.id),
                    ));
                }
                on_record(r);
            }
            (_, false) => {
                pending_bad = Some((
                    line_no,
                    offset,
                    n as u64,
                    "truncated (no trailing newline)".to_string(),
                ))
            }
            (Err(e), true) => {
                pending_bad = Some((line_no, offset, n as u64, format!("invalid record: {e}")))
            }
        }
        offset += n as u64;
    }
    Ok(
        pending_bad.map(|(line_no, good_len, bad_bytes, reason)| BadTail {
            line_no,
            good_len,
            bad_bytes,
            reason,
        }),
    )
}

/// An open, append-only record store.
pub struct RunStore {
    path: PathBuf,
    file: Mutex<File>,
}

impl RunStore {
    /// Open `path` for appending after cutting off a bad final line (the caller reports it).
    /// Returns the store and the file's contents before appending.
    pub fn open_resume(path: &Path) -> Result<(RunStore, StoreContents)> {
        let contents = read_store(path)?;
        if let Some(t) = &contents.bad_tail {
            let f = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
            f.set_len(t.good_len).map_err(|e| Error::io(path, e))?;
            f.sync_all().map_err(|e| Error::io(path, e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        Ok((
            RunStore {
                path: path.to_path_buf(),
                file: Mutex::new(file),
            },
            contents,
        ))
    }

    /// Append one record: a single `write_all` of the whole line, then flush and fsync.
    pub fn append(&self, record: &RunRecord) -> Result<()> {
        let line = record.to_line();
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(line.as_bytes())
            .and_then(|_| f.flush())
            .and_then(|_| f.sync_data())
            .map_err(|e| Error::io(&self.path, e))
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::record::RunOutcome;
    use crate::sweep::spec::{Experiment, RunSpec};

    fn rec(seed: u64) -> RunRecord {
        let spec = RunSpec {
            experiment: Experiment::NoPost,
            lr: 0.1,
            delay_ms: 20,
            seed,
            epochs: 10,
        };
        RunRecord::new(
            &spec,
            RunOutcome {
                epochs_run: 10,
                outcome: crate::outcome::Outcome::NotLearned,
                index: None,
                final_loss: 0.25,
                final_accuracy: 0.5,
                final_reliability: 0.5,
                curve_start: 0,
                loss: vec![0.3; 10],
                accuracy: vec![0.5; 10],
                reliability: vec![0.5; 10],
            },
            0.0,
        )
    }

    #[test]
    fn truncated_tail_is_cut_and_middle_corruption_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(RUNS_FILE);
        let l0 = rec(0).to_line();
        let l1 = rec(1).to_line();
        std::fs::write(&p, format!("{l0}{l1}{}", &l1[..40])).unwrap();
        let (store, c) = RunStore::open_resume(&p).unwrap();
        assert_eq!(c.records.len(), 2);
        let t = c.bad_tail.unwrap();
        assert_eq!(t.line_no, 3);
        assert_eq!(t.good_len as usize, l0.len() + l1.len());
        assert_eq!(t.bad_bytes, 40);
        store.append(&rec(2)).unwrap();
        let c = read_store(&p).unwrap();
        assert_eq!(c.records.len(), 3);
        assert!(c.bad_tail.is_none());

        std::fs::write(&p, format!("{l0}{{garbage}}\n{l1}")).unwrap();
        let e = read_store(&p).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("corrupt"), "{e}");

        // Invalid but complete last line: treated as a bad tail.
        std::fs::write(&p, format!("{l0}{{\"id\":1}}\n")).unwrap();
        let c = read_store(&p).unwrap();
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.bad_tail.unwrap().line_no, 2);

        std::fs::write(&p, format!("{l0}{l0}")).unwrap();
        let e = read_store(&p).unwrap_err().to_string();
        assert!(e.contains("duplicate") && e.contains("line 2"), "{e}");
    }
}
