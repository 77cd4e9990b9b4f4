//! What the benchmarks, the soak and their tests share.
//!
//! - [`samples`]: the core benchmarks' operations and answers, and the
//!   library's side of a round.
//! - [`floor`]: the least work that produces the same requests and reads the
//!   same answers, to measure the library against.
//! - [`e2e`]: the sandbox fixture, the adapters' calls and the bare clients
//!   of the end-to-end and interleaved benchmarks.
//! - [`python`]: TeleSign's Python SDK, timed in the same run as the core.
//! - [`soak`]: a long run of verify-hyper against the sandbox with faults,
//!   checking that no message goes out twice and nothing leaks.
//! - [`stats`]: medians, quartiles and where results are written.
#![forbid(unsafe_code)]

pub mod e2e;
pub mod floor;
pub mod python;
pub mod samples;
pub mod soak;
pub mod stats;
