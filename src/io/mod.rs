//! `io` module (see the crate docs).
