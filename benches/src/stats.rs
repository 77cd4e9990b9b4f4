//! Order statistics of a few measurements, and where results are written for
//! `cargo xtask bench` to read.

use std::path::PathBuf;

/// The median, quartiles and extremes of a set of measurements.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Spread {
    /// The smallest.
    pub min: f64,
    /// The first quartile.
    pub q1: f64,
    /// The median.
    pub median: f64,
    /// The third quartile.
    pub q3: f64,
    /// The largest.
    pub max: f64,
}

impl Spread {
    /// The spread of `values` (not empty); quartiles interpolate linearly
    /// between the closest ranks.
    pub fn of(values: &[f64]) -> Spread {
        assert!(!values.is_empty(), "no values");
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let pos = q * (v.len() - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
        };
        Spread {
            min: v[0],
            q1: at(0.25),
            median: at(0.5),
            q3: at(0.75),
            max: v[v.len() - 1],
        }
    }
}

/// Each of `runs` over the mean of the two `around` runs just before and
/// after it (`around` has one run more than `runs`): alternating runs, with
/// a slow drift of the machine cancelled out.
pub fn over_neighbours(runs: &[f64], around: &[f64]) -> Vec<f64> {
    runs.iter()
        .zip(around.windows(2))
        .map(|(run, w)| run / ((w[0] + w[1]) / 2.0))
        .collect()
}

/// The workspace's `target` directory (`CARGO_TARGET_DIR` when set).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")))
}

/// `target/verify-benches/<name>`, its directory created.
pub fn results_path(name: &str) -> PathBuf {
    let dir = target_dir().join("verify-benches");
    // A failure shows when the file is written.
    let _ = std::fs::create_dir_all(&dir);
    dir.join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate() {
        let s = Spread::of(&[5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!(
            s,
            Spread {
                min: 1.0,
                q1: 2.0,
                median: 3.0,
                q3: 4.0,
                max: 5.0
            }
        );
        let s = Spread::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((s.q1, s.median, s.q3), (1.75, 2.5, 3.25));
        assert_eq!(Spread::of(&[7.0]).median, 7.0);
    }

    #[test]
    fn each_run_over_its_neighbours() {
        assert_eq!(
            over_neighbours(&[4.0, 9.0], &[1.0, 3.0, 6.0]),
            vec![2.0, 2.0]
        );
    }
}
