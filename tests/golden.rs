//! Golden tests: the bits of the random streams, of the initial weights of seed 0 and of short
//! training histories are pinned, so a refactor that changes any record of a sweep fails here
//! instead of passing silently. Hashes are FNV-1a (64 bit) over the little-endian bytes of the
//! values, computed independently of the library.
//!
//! If a change of these bits is intended (a bug fix in the trainer or a new stream layout),
//! rerun with `DYNPHASE_PRINT_GOLDEN=1 cargo test --release --test golden -- --nocapture`,
//! paste the printed values, and say so in the change's description: every stored sweep
//! record of the affected experiments changes with it.

use dynphase::rnn::model::{FullRankParams, Rank2Params};
use dynphase::rnn::rng::{normal_f32, stream, uniform01_f32, Stream};
use dynphase::rnn::task::{FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};
use dynphase::rnn::train::{train_full_rank, train_rank2, FullRankConfig, History, Rank2Config};
use rand::Rng;

fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn hash_f32(v: &[f32]) -> u64 {
    fnv1a(v.iter().flat_map(|x| x.to_le_bytes()))
}

fn hash_f64(v: &[f64]) -> u64 {
    fnv1a(v.iter().flat_map(|x| x.to_le_bytes()))
}

fn printing() -> bool {
    std::env::var_os("DYNPHASE_PRINT_GOLDEN").is_some()
}

/// Compare `got` with `want` (or print it in printing mode).
fn check(name: &str, got: &[u64], want: &[u64]) {
    if printing() {
        let hex: Vec<String> = got.iter().map(|v| format!("0x{v:016x}")).collect();
        println!("{name}: [{}]", hex.join(", "));
        return;
    }
    assert_eq!(got, want, "{name}: pinned bits changed");
}

fn history_hashes(h: &History) -> Vec<u64> {
    vec![
        hash_f64(&h.loss),
        hash_f64(&h.accuracy),
        hash_f64(&h.reliability),
        hash_f64(&h.grad_norm),
    ]
}

const STREAMS: [(Stream, &str); 4] = [
    (Stream::Init, "init"),
    (Stream::Train, "train"),
    (Stream::Classify, "classify"),
    (Stream::Band, "band"),
];

#[test]
fn first_deviates_of_every_stream() {
    let want: [[u64; 3]; 4] = GOLDEN_STREAMS;
    for (k, (s, name)) in STREAMS.iter().enumerate() {
        let mut r = stream(0, *s);
        let raw: Vec<u8> = (0..8).flat_map(|_| r.next_u32().to_le_bytes()).collect();
        let mut r = stream(0, *s);
        let normals: Vec<f32> = (0..64).map(|_| normal_f32(&mut r)).collect();
        let mut r = stream(0, *s);
        let uniforms: Vec<f32> = (0..64).map(|_| uniform01_f32(&mut r)).collect();
        check(
            &format!("stream {name}, seed 0: raw u32, normal, uniform"),
            &[fnv1a(raw), hash_f32(&normals), hash_f32(&uniforms)],
            &want[k],
        );
    }
}

#[test]
fn initial_weights_of_seed_0() {
    let full = FullRankParams::<f32>::init(100, 0);
    let got: Vec<u64> = full.tensors().iter().map(|t| hash_f32(t)).collect();
    check(
        "full-rank init, seed 0 (w_in, b_in, w_rec, b_rec, w_out, b_out)",
        &got,
        &GOLDEN_FULL_INIT,
    );
    let r2 = Rank2Params::<f32>::init(100, 0);
    let got: Vec<u64> = r2.tensors().iter().map(|t| hash_f32(t)).collect();
    check(
        "rank-2 init, seed 0 (m, n, b, w_out, b_out, x0)",
        &got,
        &GOLDEN_RANK2_INIT,
    );
}

#[test]
fn twenty_epoch_full_rank_history() {
    // DCDT, 40 ms delay, η = 0.1, seed 0, f32, batch 128: the sweep trainer's path.
    let task: FullRankTask<f32> = FullRankTask::new(
        FullRankTaskKind::Dcdt {
            delay_ms: 40,
            post: false,
            tau_ms: 10.0,
        },
        WindowMode::Reference,
    )
    .unwrap();
    let cfg = FullRankConfig::for_task(&task.kind, 0.1, 20, 0);
    let run = train_full_rank(FullRankParams::init(100, 0), task, &cfg, &mut |_, _| {}).unwrap();
    assert_eq!(run.history.loss.len(), 20);
    let mut got = history_hashes(&run.history);
    got.extend(run.params.tensors().iter().map(|t| hash_f32(t)));
    check(
        "full-rank 20 epochs: loss, accuracy, reliability, grad norm; final tensors",
        &got,
        &GOLDEN_FULL_HISTORY,
    );
}

#[test]
fn twenty_epoch_rank2_history() {
    // Fig 2 task (T = 15, R = 2 steps), η = 0.1, seed 0, no early stop.
    let task = Rank2Task::<f32>::from_steps(15, 2, 0).unwrap();
    let cfg = Rank2Config {
        lr: 0.1,
        epochs: 20,
        early_stop: None,
        snapshot_epochs: vec![],
    };
    let run = train_rank2(Rank2Params::init(100, 0), task, &cfg, &mut |_, _| {}).unwrap();
    let mut got = history_hashes(&run.history);
    got.extend(run.params.tensors().iter().map(|t| hash_f32(t)));
    check(
        "rank-2 20 epochs: loss, accuracy, reliability, grad norm; final tensors",
        &got,
        &GOLDEN_RANK2_HISTORY,
    );
}

const GOLDEN_STREAMS: [[u64; 3]; 4] = [
    [0x0074bf85d668cc09, 0xb11d26c99e5eb5d8, 0x6864f6741a816be5],
    [0xe49fe2e8044c7d40, 0x516e371c0f9f3092, 0xd02aadf07fa83f24],
    [0x98e9e2e86438b4db, 0x5932732afef32d41, 0x52f957ee7d4eeafc],
    [0xc738adf6977aa85c, 0xe6eb6ac5ea8c5864, 0x53afa809a9c47383],
];
const GOLDEN_FULL_INIT: [u64; 6] = [
    0xdbe0158e08b3a0a0,
    0xb083efe2ae8de77b,
    0x1b4a46b931e18399,
    0x867a0f99e02f473b,
    0x9ce3b55fd287b31c,
    0x0211ea536b83229d,
];
const GOLDEN_RANK2_INIT: [u64; 6] = [
    0x112931f5ea8b59f9,
    0x0bd29a61ebdd3698,
    0x2c1b93daafb34265,
    0xa952e1869bad0442,
    0x1a39d156b1d0d66c,
    0x07862b66abf11952,
];
const GOLDEN_FULL_HISTORY: [u64; 10] = [
    0xc972db4c09e27020,
    0x95f68fcd0eb2bcad,
    0x6a40d4a0843e7a7f,
    0xc361d8bb42ca96fd,
    0x17abc3a68f706f08,
    0x1e11c60364671d43,
    0xf4373eadedb91509,
    0xd534345dd06875f2,
    0x5ee06973000c2896,
    0xb7778389647553c3,
];
const GOLDEN_RANK2_HISTORY: [u64; 10] = [
    0xb98117448ef192da,
    0x7e9abd733eb0e125,
    0x2ee8def6dd380ace,
    0x50b21ee012575710,
    0xb1e4e1f59949df54,
    0x899a1a19080f8c75,
    0x0d6ba623a6f13ee4,
    0xf43878caecf8b677,
    0x40b1c50b01c197a8,
    0x07862b66abf11952,
];
