//! `rnn` module (see the crate docs).
