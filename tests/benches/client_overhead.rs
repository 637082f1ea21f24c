//! What the generated client costs over hand-written reqwest + serde for one call:
//! build the request, send it to a loopback server, decode the JSON answer.
//!
//! Both sides talk to the same minimal keep-alive server, so the difference is the
//! client's own work (runtime request building, auth selection, retry bookkeeping,
//! tracing span, envelope unwrapping) and the headers it sends beyond the minimal call's
//! (`user-agent`, and the operation's `accept`). The ratio is printed twice: against the
//! minimal hand-written call, and against one sending those same headers, which leaves
//! the client's own work alone. Run with `cargo bench -p tests --bench client_overhead`;
//! `--bench nothing-matches` prints the ratios alone. Where the optimizer may cross crate
//! boundaries (`CARGO_PROFILE_BENCH_LTO=fat CARGO_PROFILE_BENCH_CODEGEN_UNITS=1`, as many
//! release binaries are built), the generated client's ratio drops by about 3 points: part
//! of the gap is where its code sits, not how much of it runs.

use criterion::{criterion_group, criterion_main, Criterion};
use generated_client::cloudflare_zero_trust as cloudflare;
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BODY: &str = r##"{"errors":[],"messages":[],"success":true,"result":{"auth_domain":"test.cloudflareaccess.com","created_at":"2014-01-01T05:20:00.12345Z","deny_unmatched_requests":true,"deny_unmatched_requests_exempted_zone_names":["example.com"],"is_ui_read_only":false,"login_design":{"background_color":"#c5ed1b","footer_text":"This is an example description.","header_text":"This is an example description.","logo_path":"https://example.com/logo.png","text_color":"#c5ed1b"},"name":"Widget Corps Internal Applications","ui_read_only_toggle_reason":"Temporarily turn off the UI read only lock","updated_at":"2014-01-01T05:20:00.12345Z","user_seat_expiration_inactive_time":"730h"}}"##;

/// Answers every request on a connection with `BODY`, keeping connections open.
async fn serve(listener: tokio::net::TcpListener) {
    let response =
        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}", BODY.len());
    loop {
        let Ok((mut socket, _)) = listener.accept().await else { return };
        let response = response.clone();
        tokio::spawn(async move {
            let mut buffer = vec![0_u8; 8192];
            let mut pending = Vec::new();
            loop {
                let Ok(read) = socket.read(&mut buffer).await else { return };
                if read == 0 {
                    return;
                }
                pending.extend_from_slice(&buffer[..read]);
                // GET requests have no body: every blank line ends one request.
                while let Some(end) = pending.windows(4).position(|window| window == b"\r\n\r\n") {
                    pending.drain(..end + 4);
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
}

/// The headers the generated client sends beyond the minimal call's.
const USER_AGENT: &str = "generated-client/0.1.0";
const ACCEPT: &str = "application/json";

/// The hand-written side: the same fields, decoded with serde.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Envelope {
    success: bool,
    errors: Vec<serde_json::Value>,
    messages: Vec<serde_json::Value>,
    result: Option<Organization>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Organization {
    auth_domain: Option<String>,
    created_at: Option<String>,
    deny_unmatched_requests: Option<bool>,
    deny_unmatched_requests_exempted_zone_names: Option<Vec<String>>,
    is_ui_read_only: Option<bool>,
    login_design: Option<LoginDesign>,
    name: Option<String>,
    ui_read_only_toggle_reason: Option<String>,
    updated_at: Option<String>,
    user_seat_expiration_inactive_time: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct LoginDesign {
    background_color: Option<String>,
    footer_text: Option<String>,
    header_text: Option<String>,
    logo_path: Option<String>,
    text_color: Option<String>,
}

async fn hand_written(http: &reqwest::Client, base_url: &str) -> Organization {
    let response = http
        .get(format!("{base_url}/zones/023e105f4ecef8ad9ca31a8372d0c353/access/organizations"))
        .bearer_auth("token")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("read");
    let envelope: Envelope = serde_json::from_slice(&bytes).expect("decodes");
    assert!(envelope.success);
    envelope.result.expect("result")
}

async fn generated(client: &cloudflare::Client) -> cloudflare::Organization {
    client.zone_organization().get("023e105f4ecef8ad9ca31a8372d0c353").await.expect("succeeds").into_body()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    runtime.spawn(serve(listener));

    let http = reqwest::Client::new();
    // The same request on the wire as the generated client's: its user agent and accept.
    let accept = reqwest::header::HeaderMap::from_iter([(
        reqwest::header::ACCEPT,
        reqwest::header::HeaderValue::from_static(ACCEPT),
    )]);
    let same_headers =
        reqwest::Client::builder().user_agent(USER_AGENT).default_headers(accept).build().expect("builds");
    let client = cloudflare::Client::builder().base_url(&base_url).api_token("token").build().expect("builds");
    // Warm both connection pools before measuring.
    runtime.block_on(hand_written(&http, &base_url));
    runtime.block_on(hand_written(&same_headers, &base_url));
    runtime.block_on(generated(&client));

    // `CLIENT_OVERHEAD_ONLY=generated` (or `hand-written`) makes only that side's calls, a
    // fixed number of them (`CLIENT_OVERHEAD_CALLS`, 100,000 by default): what a profiler
    // or `valgrind --tool=callgrind` is pointed at, the counts of two runs differing by
    // the calls alone.
    if let Ok(side) = std::env::var("CLIENT_OVERHEAD_ONLY") {
        let calls = std::env::var("CLIENT_OVERHEAD_CALLS").ok().and_then(|calls| calls.parse().ok()).unwrap_or(100_000);
        for _ in 0..calls {
            match side.as_str() {
                "hand-written" => drop(runtime.block_on(hand_written(&http, &base_url))),
                _ => drop(runtime.block_on(generated(&client))),
            }
        }
        return;
    }
    // Under `--profile-time` (a profiler attached to one side), the ratio would only blur the profile.
    if !std::env::args().any(|argument| argument == "--profile-time") {
        print_interleaved_ratio(&runtime, &http, &base_url, &client, "hand-written");
        print_interleaved_ratio(&runtime, &same_headers, &base_url, &client, "hand-written with the same headers");
    }

    let mut group = c.benchmark_group("get_organization");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("hand_written_reqwest_serde", |b| b.iter(|| runtime.block_on(hand_written(&http, &base_url))));
    group.bench_function("generated_client", |b| b.iter(|| runtime.block_on(generated(&client))));
    group.finish();
}

/// The ratio generated / hand-written, measured in alternating rounds so that drift in
/// the machine's speed (a shared VM's neighbours) touches both sides alike: criterion's
/// figures, taken one function after the other, move by more than the difference. Many
/// short rounds pair each side with the other under nearly the same conditions.
fn print_interleaved_ratio(
    runtime: &tokio::runtime::Runtime,
    http: &reqwest::Client,
    base_url: &str,
    client: &cloudflare::Client,
    baseline: &str,
) {
    const ROUNDS: usize = 401;
    const CALLS: u32 = 50;
    let time_hand_written = || {
        let started = Instant::now();
        for _ in 0..CALLS {
            runtime.block_on(hand_written(http, base_url));
        }
        started.elapsed()
    };
    let time_generated = || {
        let started = Instant::now();
        for _ in 0..CALLS {
            runtime.block_on(generated(client));
        }
        started.elapsed()
    };
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        // Alternate which side goes first, so neither always runs on a warmer cache.
        let (hand, generated) = if round % 2 == 0 {
            let hand = time_hand_written();
            (hand, time_generated())
        } else {
            let generated = time_generated();
            (time_hand_written(), generated)
        };
        ratios.push(generated.as_secs_f64() / hand.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "get_organization: generated / {baseline}, {ROUNDS} alternating rounds of {CALLS} calls: \
         median {:.3} (quartiles {:.3}–{:.3})",
        ratios[ROUNDS / 2],
        ratios[ROUNDS / 4],
        ratios[3 * ROUNDS / 4]
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
