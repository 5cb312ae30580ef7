//! `toy` module (see the crate docs).
