//! Generation speed and memory on the largest real spec: Cloudflare's full schema
//! (1,533 operations), read from `../shared/corpus/` — never copied into the repository.
//!
//! Prints `load` (parse, normalize, bundle, lower) and full generation (plus emit and
//! formatting) times through criterion, and the process's peak memory after one full
//! generation. Run with `cargo bench -p generator`. Without the corpus it says so and
//! measures nothing.

use criterion::{criterion_group, criterion_main, Criterion};
use generator::{ApiSpec, CrateSettings};
use std::path::PathBuf;
use std::time::{Duration, Instant};

// The allocator `cargo xtask` uses, so the figures are the ones users see.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus_file(relative: &str) -> PathBuf {
    let corpus = std::env::var_os("CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    corpus.join(relative)
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn bench(c: &mut Criterion) {
    let path = corpus_file("cloudflare/openapi.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "\nCORPUS ABSENT: {} cannot be read; nothing was measured. Set CORPUS_DIR to the corpus folder.\n",
            path.display()
        );
        return;
    };
    let spec = ApiSpec::new("cloudflare", "cloudflare/openapi.json", &text);
    let settings = CrateSettings {
        crate_name: "cloudflare".to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: Some(CrateSettings::DEFAULT_TAG_FEATURES_FROM),
    };

    let before = peak_memory_mib().unwrap_or(0.0);
    let started = Instant::now();
    let files = generator::generate_crate(std::slice::from_ref(&spec), &settings).expect("Cloudflare generates").files;
    let once = started.elapsed();
    let bytes: usize = files.values().map(String::len).sum();
    println!(
        "\ncloudflare/openapi.json: one generation {:.0} ms, {} files, {:.1} MiB of Rust; peak memory {:.0} MiB (before: {:.0} MiB)\n",
        once.as_secs_f64() * 1000.0,
        files.len(),
        bytes as f64 / (1024.0 * 1024.0),
        peak_memory_mib().unwrap_or(0.0),
        before,
    );
    drop(files);

    let mut group = c.benchmark_group("cloudflare");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("load", |b| b.iter(|| generator::load(&spec).expect("loads")));
    group.bench_function("generate_crate", |b| {
        b.iter(|| generator::generate_crate(std::slice::from_ref(&spec), &settings).expect("generates"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
