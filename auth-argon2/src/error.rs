//! The crate's error type.

/// Why a hash could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// `p` is 0 or above 2^24 - 1.
    Lanes,
    /// `t` is 0.
    Passes,
    /// `m` is below 8 KiB per lane.
    Memory,
    /// The output is shorter than 4 bytes or longer than 2^32 - 1 bytes.
    OutputLength,
    /// The salt is shorter than 8 bytes or longer than 2^32 - 1 bytes.
    SaltLength,
    /// The password, secret or associated data is longer than 2^32 - 1 bytes.
    InputTooLong,
    /// The requested block implementation is not available on this CPU.
    Unavailable,
    /// A lane's worker thread panicked.
    Thread,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Lanes => "argon2: the number of lanes must be between 1 and 2^24 - 1",
            Self::Passes => "argon2: the number of passes must be at least 1",
            Self::Memory => "argon2: the memory must be at least 8 KiB per lane",
            Self::OutputLength => "argon2: the output must be 4 to 2^32 - 1 bytes long",
            Self::SaltLength => "argon2: the salt must be 8 to 2^32 - 1 bytes long",
            Self::InputTooLong => "argon2: an input is longer than 2^32 - 1 bytes",
            Self::Unavailable => "argon2: that block implementation is not available on this CPU",
            Self::Thread => "argon2: a lane's worker thread panicked",
        })
    }
}

impl std::error::Error for Error {}
