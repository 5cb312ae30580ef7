//! `ode` module (see the crate docs).
