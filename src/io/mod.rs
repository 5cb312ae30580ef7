//! File formats: `.npy` arrays and `.npz` archives readable by numpy, saved networks, and
//! training histories as CSV.
//!
//! * [`npy`] — single arrays (`<f4`/`<f8`, C order).
//! * [`npz`] — ZIP archives of `.npy` entries.
//! * [`network`] — full-rank and rank-2 parameters as `.npz` (and the reference's JSON).
//! * [`history`] — per-epoch training logs as CSV.
//! * [`gzip`] — reading gzip files (the committed sweep records).

pub mod gzip;
pub mod history;
pub mod network;
pub mod npy;
pub mod npz;
