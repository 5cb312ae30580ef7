//! Golden rank-2 training history (the random streams, the seed-0 weights and a full-rank
//! history are pinned in `tests/rnn_golden.rs`): 20 epochs of the Fig 2 task from seed 0, byte
//! for byte, so a change of the rank-2 arithmetic cannot move the Figs 2, 3 and S1 runs
//! silently. If a change is intended, print the new values with `--nocapture` and say so in the
//! change.

mod common;
use common::{fnv1a_f32, fnv1a_f64};

use dynphase::rnn::model::Rank2Params;
use dynphase::rnn::task::Rank2Task;
use dynphase::rnn::train::{train_rank2, Rank2Config};

#[test]
fn twenty_epoch_rank2_history_and_parameters() {
    let task = Rank2Task::<f32>::from_steps(15, 2, 0).unwrap();
    let cfg = Rank2Config {
        lr: 0.1,
        epochs: 20,
        early_stop: None,
        snapshot_epochs: vec![],
    };
    let run = train_rank2(Rank2Params::init(100, 0), task, &cfg, &mut |_, _| {}).unwrap();
    let h = &run.history;
    assert_eq!(h.loss.len(), 20);
    let got = (
        h.loss[0].to_bits(),
        h.loss[19].to_bits(),
        fnv1a_f64([
            &h.loss[..],
            &h.grad_norm[..],
            &h.accuracy[..],
            &h.reliability[..],
        ]),
        fnv1a_f32(run.params.tensors()),
    );
    println!("{got:#x?} (loss {} -> {})", h.loss[0], h.loss[19]);
    let want = (
        0x3fb111671c3c3c3c,
        0x3fb0be4e45a5a5a6,
        0x7740758ceb04e911,
        0xdc79287e9c8ce39c,
    );
    assert_eq!(got, want, "{got:#x?}");
}
