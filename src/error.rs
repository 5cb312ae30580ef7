//! The crate's single error type.
//!
//! Every fallible public function returns [`Result<T>`]. User input (windows, grids, files,
//! presets) is validated and reported through these variants; the library never panics on
//! user input. The binary prints the error's one-line `Display` and exits with status 1.

use std::path::PathBuf;

/// Errors produced by `dynphase`.
///
/// New variants may be added in minor releases, so matches need a wildcard arm. Variants that
/// wrap a typed cause keep it as their [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is outside its valid domain (non-positive window, NaN, empty grid, ...).
    #[error("invalid {name}: {reason}")]
    InvalidParameter {
        /// Name of the offending parameter, as the user knows it (e.g. `t_delay`).
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file was read but its contents are malformed.
    #[error("{path}: {reason}")]
    Format {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A numerical procedure failed (no convergence, singular system, too few points).
    #[error("numerical failure in {context}: {reason}")]
    Numerical {
        /// The procedure that failed.
        context: String,
        /// Why.
        reason: String,
    },
    /// A least-squares fit produced no parameters.
    #[error("numerical failure in {context}: {source}")]
    Fit {
        /// The procedure that failed.
        context: String,
        /// The typed cause (e.g. the MINPACK status).
        #[source]
        source: crate::fit::lm::FitError,
    },
    /// A `.npy` file could not be read.
    #[error("{path}: {source}")]
    Npy {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: crate::io::npy::NpyError,
    },
    /// A `.npz` archive could not be read.
    #[error("{path}: {source}")]
    Npz {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: crate::io::npz::NpzError,
    },
    /// An unknown name was requested (preset, experiment, model, task, column, ...).
    #[error("unknown {kind} '{name}' (expected one of: {expected})")]
    Unknown {
        /// What kind of name (e.g. `preset`).
        kind: String,
        /// The name given.
        name: String,
        /// The accepted names, comma-separated.
        expected: String,
    },
    /// A closed form was asked for outside the parameter domain where it holds.
    #[error("no closed form for {what}: {reason}")]
    NoClosedForm {
        /// The quantity and model (e.g. `eta* of limit-cycle`).
        what: String,
        /// The domain it needs and the values given.
        reason: String,
    },
}

/// Shorthand result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Build an [`Error::InvalidParameter`].
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            reason: reason.into(),
        }
    }

    /// Build an [`Error::Numerical`].
    pub fn numerical(context: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Numerical {
            context: context.into(),
            reason: reason.into(),
        }
    }

    /// Build an [`Error::Format`].
    pub fn format(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// Build an [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Build an [`Error::Unknown`].
    pub fn unknown(kind: impl Into<String>, name: impl Into<String>, expected: &[&str]) -> Self {
        Error::Unknown {
            kind: kind.into(),
            name: name.into(),
            expected: expected.join(", "),
        }
    }
}

/// Check that `value` is finite and strictly positive.
pub fn check_positive(name: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::invalid(
            name,
            format!("must be a finite positive number, got {value}"),
        ))
    }
}

/// Check that `value` is finite.
pub fn check_finite(name: &str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::invalid(name, format!("must be finite, got {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_check_rejects_zero_negative_nan_inf() {
        for v in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(check_positive("x", v).is_err(), "{v}");
        }
        assert_eq!(check_positive("x", 2.5).unwrap(), 2.5);
    }

    #[test]
    fn messages_are_one_line() {
        let e = Error::unknown("preset", "foo", &["quick", "post"]);
        assert_eq!(
            e.to_string(),
            "unknown preset 'foo' (expected one of: quick, post)"
        );
    }
}
