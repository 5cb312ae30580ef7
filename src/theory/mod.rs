//! `theory` module (see the crate docs).
