//! A small mutation fuzzer for the decoders that take bytes from other processes (task plans,
//! shuffle blocks, properties files): valid inputs (seeds) are mutated at random — bit flips,
//! interesting integers written over length fields, deletions, insertions, duplications,
//! truncations, splices of two seeds — and fed to the decoder, which must return (an error is
//! fine) and never panic. It runs for a bounded time so it fits in CI; a longer run is one
//! environment variable away (`docs/security.md`).
//!
//! Not coverage-guided: it finds what random mutations of good inputs reach. A panicking input
//! is written to a file whose path the failure names, with the seed that replays the run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What a run did.
#[derive(Debug, Clone)]
pub struct FuzzReport {
    pub name: String,
    pub executions: u64,
    pub elapsed: Duration,
    /// Seeds the mutations start from.
    pub corpus: usize,
    /// Inputs the decoder accepted (the rest were refused with an error).
    pub accepted: u64,
    /// The random seed of the run (`EMBER_FUZZ_SEED` replays it).
    pub seed: u64,
}

impl std::fmt::Display for FuzzReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        write!(
            f,
            "fuzz {}: {} executions in {:.1} s ({:.0}/s), corpus {} seeds, {} accepted, seed {}",
            self.name,
            self.executions,
            secs,
            self.executions as f64 / secs,
            self.corpus,
            self.accepted,
            self.seed
        )
    }
}

/// xorshift64*: fast, and reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// How long each target runs: `EMBER_FUZZ_SECONDS`, else `default`.
pub fn budget(default: Duration) -> Duration {
    std::env::var("EMBER_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .map_or(default, Duration::from_secs_f64)
}

fn run_seed() -> u64 {
    std::env::var("EMBER_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
        })
        | 1
}

const INTERESTING: [u64; 10] = [
    0,
    1,
    0x7f,
    0x80,
    0xff,
    0x7fff_ffff,
    0xffff_ffff,
    0x8000_0000,
    0x7fff_ffff_ffff_ffff,
    u64::MAX,
];

/// One random mutation of `input` (`other` is another seed, for splices).
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8]) {
    let len = input.len();
    match rng.below(8) {
        0 if len > 0 => {
            let at = rng.below(len);
            input[at] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let at = rng.below(len);
            input[at] = INTERESTING[rng.below(5)] as u8;
        }
        2 if len >= 8 => {
            // An interesting integer over a (possible) length or offset field.
            let width = [2usize, 4, 8][rng.below(3)];
            let at = rng.below(len - width + 1);
            let value = INTERESTING[rng.below(INTERESTING.len())].to_le_bytes();
            input[at..at + width].copy_from_slice(&value[..width]);
        }
        3 if len > 1 => {
            let at = rng.below(len);
            let n = 1 + rng.below((len - at).min(64));
            input.drain(at..at + n);
        }
        4 => {
            let at = rng.below(len + 1);
            let n = 1 + rng.below(32);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            input.splice(at..at, bytes);
        }
        5 if len > 1 => {
            let from = rng.below(len);
            let n = 1 + rng.below((len - from).min(256));
            let piece = input[from..from + n].to_vec();
            let at = rng.below(len + 1);
            input.splice(at..at, piece);
        }
        6 if len > 0 => input.truncate(rng.below(len)),
        7 if !other.is_empty() && len > 0 => {
            let cut = rng.below(len);
            let from = rng.below(other.len());
            input.truncate(cut);
            input.extend_from_slice(&other[from..]);
        }
        _ => input.push(rng.next() as u8),
    }
}

/// Runs `target` on mutations of `seeds` for `budget`. `target` returns whether it accepted
/// the input; it must not panic.
///
/// # Errors
/// The first input that made `target` panic: the panic's message and where the input was
/// saved.
pub fn fuzz(
    name: &str,
    seeds: &[Vec<u8>],
    budget: Duration,
    mut target: impl FnMut(&[u8]) -> bool,
) -> Result<FuzzReport, String> {
    assert!(!seeds.is_empty(), "fuzz {name}: no seeds");
    quiet_panics();
    let seed = run_seed();
    let mut rng = Rng(seed);
    let started = Instant::now();
    let (mut executions, mut accepted) = (0u64, 0u64);
    // The seeds themselves first: they must decode.
    for (i, input) in seeds.iter().enumerate() {
        assert!(target(input), "fuzz {name}: seed {i} is not accepted");
    }
    while started.elapsed() < budget {
        for _ in 0..64 {
            let base = &seeds[rng.below(seeds.len())];
            let other = &seeds[rng.below(seeds.len())];
            let mut input = base.clone();
            for _ in 0..1 + rng.below(4) {
                mutate(&mut rng, &mut input, other);
            }
            executions += 1;
            match catch_unwind(AssertUnwindSafe(|| target(&input))) {
                Ok(true) => accepted += 1,
                Ok(false) => {}
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    let path = save(name, &input);
                    return Err(format!(
                        "fuzz {name}: the decoder panicked ({message}) on the input saved in \
                         {path:?}; replay with EMBER_FUZZ_SEED={seed}"
                    ));
                }
            }
        }
    }
    Ok(FuzzReport {
        name: name.to_string(),
        executions,
        elapsed: started.elapsed(),
        corpus: seeds.len(),
        accepted,
        seed,
    })
}

/// Replaces the panic hook, once per process, by one that prints nothing: decoders are expected
/// to panic inside Ember's guards on some inputs, and printing (with a backtrace) for each of
/// thousands would drown the log and slow the run. Fuzz tests live in a test binary of their
/// own and report failures through [`fuzz`]'s error, so nothing else is lost.
fn quiet_panics() {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}

fn save(name: &str, input: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join("ember-fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{name}-{}.bin", uuid::Uuid::new_v4().simple()));
    let _ = std::fs::write(&path, input);
    path
}
