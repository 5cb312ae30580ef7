//! `sweep` module (see the crate docs).
