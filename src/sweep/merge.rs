//! `dynphase merge`: join the outputs of sweep shards into one directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::preset::{Overrides, Preset};
use super::record::{sort_canonical, RunRecord};
use super::store::{read_store, Manifest, RUNS_FILE};
use crate::{Error, Result};

/// What [`merge_dirs`] did.
#[derive(Debug, Clone)]
pub struct MergeSummary {
    /// Records written.
    pub records: usize,
    /// Identical duplicates dropped.
    pub duplicates: usize,
    /// Inputs whose last line was incomplete and ignored: (file, line number).
    pub ignored_tails: Vec<(PathBuf, usize)>,
    /// Size of the grid when every input has the same preset and overrides.
    pub grid_size: Option<usize>,
}

/// Merge the sweep directories `inputs` into `out` (`out/runs.jsonl` in canonical order, see
/// [`sort_canonical`], and `out/sweep.json`).
///
/// Records with the same id must be identical apart from `wall_s` (duplicates are dropped);
/// conflicting duplicates are an error. An incomplete last line of an input (a killed shard)
/// is ignored with a note in the summary; a corrupt line elsewhere is an error. If every input
/// manifest is the same apart from the shard, the output manifest is that one without a shard
/// (so the merged directory can be resumed to fill gaps); otherwise it is a `merged` manifest
/// listing the inputs. Refuses to overwrite an existing non-empty `out/runs.jsonl` unless
/// `force`.
pub fn merge_dirs(out: &Path, inputs: &[PathBuf], force: bool) -> Result<MergeSummary> {
    if inputs.is_empty() {
        return Err(Error::invalid("merge", "no input directories given"));
    }
    let out_runs = out.join(RUNS_FILE);
    if !force
        && std::fs::metadata(&out_runs)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
    {
        return Err(Error::invalid(
            "merge",
            format!(
                "{} already exists (use --force to overwrite)",
                out_runs.display()
            ),
        ));
    }
    // id -> (record, its deterministic line, its file, the index of its input)
    let mut by_id: HashMap<String, (RunRecord, String, PathBuf, usize)> = HashMap::new();
    let mut manifests: Vec<Manifest> = Vec::new();
    let mut duplicates = 0;
    let mut ignored_tails = Vec::new();
    for (k, dir) in inputs.iter().enumerate() {
        let m = Manifest::read(dir)?
            .ok_or_else(|| Error::format(dir, "no sweep.json manifest: not a sweep directory"))?;
        // Checked before any record: records of different stream versions differ, and
        // saying why beats a list of conflicts.
        if let Some(first) = manifests.first() {
            if m.stream_version != first.stream_version {
                return Err(Error::invalid(
                    "merge",
                    format!(
                        "{} holds records drawn from random-stream version {}, {} from version {}; \
                         records of different versions are not comparable (rerun one with the same dynphase)",
                        dir.display(),
                        m.stream_version,
                        inputs[0].display(),
                        first.stream_version
                    ),
                ));
            }
        }
        manifests.push(m);
        let path = dir.join(RUNS_FILE);
        if !path.exists() {
            return Err(Error::format(&path, "missing: not a sweep directory"));
        }
        let contents = read_store(&path)?;
        if let Some(t) = contents.bad_tail {
            ignored_tails.push((path.clone(), t.line_no));
        }
        for r in contents.records {
            let det = r.deterministic_line();
            match by_id.get(&r.id) {
                Some((_, prev, prev_path, j)) => {
                    if *prev != det {
                        let (here, there) = (&manifests[k].kernel, &manifests[*j].kernel);
                        let why = if here != there && !here.is_empty() && !there.is_empty() {
                            format!(
                                "; they were trained on different kernel paths ({here} here, \
                                 {there} there), which should give identical bits: rerun one \
                                 of them with DYNPHASE_KERNEL={there} and report the difference"
                            )
                        } else {
                            String::new()
                        };
                        return Err(Error::format(
                            &path,
                            format!(
                                "conflicting records for {} (also in {}){why}",
                                r.id,
                                prev_path.display()
                            ),
                        ));
                    }
                    duplicates += 1;
                }
                None => {
                    by_id.insert(r.id.clone(), (r, det, path.clone(), k));
                }
            }
        }
    }
    let kernels = manifests
        .iter()
        .fold(manifests[0].clone(), |acc, m| {
            acc.adding_kernels(&m.kernel).unwrap_or(acc)
        })
        .kernel;
    let strip = |m: &Manifest| Manifest {
        shard: None,
        kernel: String::new(),
        ..m.clone()
    };
    let base = strip(&manifests[0]);
    let same = manifests.iter().all(|m| strip(m) == base);
    let (mut manifest, grid_size) = if same {
        let size = Preset::named(&base.preset)
            .and_then(|p| p.with_overrides(&base.overrides))
            .map(|p| p.len())
            .ok();
        (base, size)
    } else {
        let mut from: Vec<Manifest> = Vec::new();
        for m in manifests.iter().map(strip) {
            if !from.contains(&m) {
                from.push(m);
            }
        }
        let exec = if from.iter().all(|m| m.executor == from[0].executor) {
            from[0].executor.clone()
        } else {
            "mixed".to_string()
        };
        (
            Manifest {
                format: 1,
                preset: "merged".to_string(),
                overrides: Overrides::default(),
                executor: exec,
                window: if from.iter().all(|m| m.window == from[0].window) {
                    from[0].window.clone()
                } else {
                    "mixed".to_string()
                },
                classifier_post: if from
                    .iter()
                    .all(|m| m.classifier_post == from[0].classifier_post)
                {
                    from[0].classifier_post.clone()
                } else {
                    "mixed".to_string()
                },
                shard: None,
                stream_version: from[0].stream_version,
                kernel: String::new(),
                merged_from: from,
            },
            None,
        )
    };
    manifest.kernel = kernels;
    let mut records: Vec<RunRecord> = by_id.into_values().map(|(r, ..)| r).collect();
    sort_canonical(&mut records);
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let tmp = out.join(format!("{RUNS_FILE}.tmp"));
    let mut text = String::new();
    for r in &records {
        text.push_str(&r.to_line());
    }
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &out_runs).map_err(|e| Error::io(&out_runs, e))?;
    manifest.write(out)?;
    Ok(MergeSummary {
        records: records.len(),
        duplicates,
        ignored_tails,
        grid_size,
    })
}
