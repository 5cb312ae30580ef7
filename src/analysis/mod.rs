//! `analysis` module (see the crate docs).
