//! Golden values of the random streams (version 2) and of a short training run, pinned byte
//! for byte so that a refactor of the generator, the kernels or the trainer cannot change
//! records silently. If one of these fails, the numbers of every record changed: bump
//! `rnn::rng::STREAM_VERSION` (streams) or say so in the change (trainer arithmetic), and
//! regenerate or mark the committed records.

use dynphase::rnn::model::{FullRankParams, Rank2Params};
use dynphase::rnn::rng::{self, Stream};
use dynphase::rnn::task::{FullRankTask, FullRankTaskKind, WindowMode};
use dynphase::rnn::train::{train_full_rank, FullRankConfig};

/// FNV-1a (64-bit) of a byte sequence.
fn fnv(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn f32_hash<'a>(tensors: impl IntoIterator<Item = &'a [f32]>) -> u64 {
    fnv(tensors
        .into_iter()
        .flat_map(|t| t.iter().flat_map(|x| x.to_le_bytes())))
}

#[test]
fn first_words_and_deviates_of_every_stream() {
    let mut got = Vec::new();
    for s in [Stream::Init, Stream::Train, Stream::Classify, Stream::Band] {
        let mut r = rng::stream(0, s);
        let words: Vec<u32> = (0..4).map(|_| r.next_u32()).collect();
        let mut r = rng::stream(0, s);
        let mut z = [0f32; 4];
        rng::fill_normal_f32(&mut r, &mut z);
        got.push((words, z.map(f32::to_bits)));
    }
    let want: [([u32; 4], [u32; 4]); 4] = [
        (
            [0xede636c3, 0xc1772393, 0x5dc25c81, 0x3ccb0d7c],
            [0x3da9830c, 0xc01338e4, 0x3d99cb63, 0x3f73bed3],
        ),
        (
            [0xa64f94bb, 0xaa207b7f, 0xfb09282d, 0x7cb883c4],
            [0xbf3d9faa, 0xbf9f4e94, 0xc033242b, 0x3e6730b1],
        ),
        (
            [0xc5ef91ca, 0xfdbd1e0b, 0x4a387e15, 0x58855ddd],
            [0x3fdc265a, 0xbdc3b164, 0xbeefdef4, 0x3f2e9ef0],
        ),
        (
            [0x334dba57, 0xc2cfbab8, 0xd5afd0ab, 0x1fbf59f9],
            [0x3d3ce0d2, 0xbf2ace74, 0x3faccb7e, 0x3faaaa7b],
        ),
    ];
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((g.0.as_slice(), g.1), (w.0.as_slice(), w.1), "{got:x?}");
    }
}

#[test]
fn seed0_initial_weights() {
    let p = FullRankParams::<f32>::init(100, 0);
    let q = Rank2Params::<f32>::init(100, 0);
    let got = (f32_hash(p.tensors()), f32_hash(q.tensors()));
    assert_eq!(got, (0x94db1b790a03fc0d, 0x2f47dd272638216c), "{got:#x?}");
}

#[test]
fn twenty_epoch_history_and_parameters() {
    let kind = FullRankTaskKind::Dcdt {
        delay_ms: 40,
        post: false,
        tau_ms: 10.0,
    };
    let task = FullRankTask::<f32>::new(kind, WindowMode::Reference).unwrap();
    let cfg = FullRankConfig::for_task(&kind, 0.3, 20, 0);
    let run = train_full_rank(FullRankParams::init(100, 0), task, &cfg, &mut |_, _| {}).unwrap();
    let h = &run.history;
    let hist = fnv([&h.loss, &h.grad_norm, &h.accuracy, &h.reliability]
        .into_iter()
        .flat_map(|v| v.iter().flat_map(|x| x.to_le_bytes())));
    let got = (
        h.loss[0].to_bits(),
        h.loss[19].to_bits(),
        hist,
        f32_hash(run.params.tensors()),
    );
    let want = (
        0x3fc254e1afd80000,
        0x3f952c99538c9bab,
        0x3041839c98968cd3,
        0xa3200549f177cc26,
    );
    assert_eq!(got, want, "{got:#x?} (loss {} → {})", h.loss[0], h.loss[19]);
}
