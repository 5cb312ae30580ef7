//! `fit` module (see the crate docs).
