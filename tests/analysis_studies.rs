//! Long studies (ignored by default; run with
//! `cargo test --release --test analysis_studies -- --ignored --nocapture`).
//! They print the numbers quoted in the analysis documentation and assert the paper's
//! qualitative findings.

use dynphase::analysis::classify::ClassifyConfig;
use dynphase::analysis::fixed_points::FixedPointConfig;
use dynphase::analysis::rank2::Fig3cRow;
use dynphase::analysis::studies::{full_rank_agreement_study, post_study_budget, rank2_post_study};

#[test]
#[ignore = "trains 80 rank-2 networks, 2 delays x 20 seeds x with and without post (minutes); run with --ignored"]
fn fig3c_rank2_post_study_two_delays() {
    let seeds: Vec<u64> = (0..20).collect();
    let delays = [6usize, 8];
    let nets = rank2_post_study(&delays, &seeds, 0.005, &post_study_budget).unwrap();
    for &d in &delays {
        let lab = |post: bool| {
            nets.iter()
                .filter(|n| n.delay_steps == d && n.post == post)
                .map(|n| n.label)
                .collect::<Vec<_>>()
        };
        let row = Fig3cRow::new(d, &lab(true), &lab(false), 8);
        let (fp, fnp) = row.fractions();
        println!(
            "T={d} steps ({} ms): post learned {} LC {} ({:.3}); no post learned {} LC {} ({:.3}); p={:.3e} p_bonf={:.3e} {}",
            5 * d, row.post.0, row.post.1, fp, row.no_post.0, row.no_post.1, fnp, row.p, row.p_adjusted, row.stars
        );
        for post in [true, false] {
            let mut dyn_lc = 0;
            for n in nets.iter().filter(|n| n.delay_steps == d && n.post == post) {
                // Second opinion: long out-of-trial rollout of the latent flow from κ_total.
                let field = dynphase::analysis::LowRankLatentField::from_rank2(&n.params).unwrap();
                let total = dynphase::analysis::studies::post_study_task(d, post)
                    .unwrap()
                    .total();
                let p64: dynphase::rnn::Rank2Params<f64> = n.params.cast();
                let ro = dynphase::rnn::rank2_rollout(&p64, 0.5, total);
                let (ot, _) = dynphase::analysis::out_of_trial::out_of_trial(
                    &field,
                    &ro.kappa[total],
                    0.5,
                    &Default::default(),
                )
                .unwrap();
                if n.label.learned && ot.label == dynphase::analysis::Mechanism::LimitCycle {
                    dyn_lc += 1;
                }
                println!(
                    "  seed {:2} post {:5} learned {:5} LC {:5} dtheta {:7.2} late_ratio {:.3} loss {:.3e} rollout {:?} period {:?}",
                    n.seed, n.post, n.label.learned, n.label.rotation.is_lc, n.label.rotation.max_dtheta,
                    n.label.rotation.late_rms_ratio, n.final_loss, ot.asymptote, ot.period_steps
                );
            }
            println!(
                "  T={d} post={post}: learned networks oscillating in the long rollout: {dyn_lc}"
            );
        }
        assert!(fp > 0.8, "with post almost all learned networks rotate");
    }
}

#[test]
#[ignore = "trains 40 full-rank networks (minutes); backs README's 39 of 40 agreement; run with --ignored"]
fn full_rank_spectral_and_dynamical_labels_agree() {
    let delays = [20u32, 40, 60, 80, 100, 140, 180, 220, 260, 300];
    let jobs: Vec<(u32, f64, u64)> = delays
        .iter()
        .flat_map(|&d| (0..4u64).map(move |s| (d, 0.1, s)))
        .collect();
    let cfg = ClassifyConfig {
        fixed_points: Some(FixedPointConfig::default()),
        ..Default::default()
    };
    let nets = full_rank_agreement_study(&jobs, 1000, &cfg).unwrap();
    let mut agree = 0;
    for n in &nets {
        let v = &n.verdict;
        println!(
            "delay {:3} ms seed {} learned {:5} index {:.4} spectral {} dynamical {} ({:?}, acf {:.2}, period {:?}) agree {} fixed {} slow {} nearest_fp {:?}",
            n.delay_ms, n.seed, n.learned, v.spectral.index, n.spectral(), n.dynamical(), v.dynamical.asymptote,
            v.dynamical.acf_peak, v.dynamical.period_steps, v.agree(),
            v.points.iter().filter(|p| p.kind == dynphase::analysis::PointKind::Fixed).count(),
            v.points.iter().filter(|p| p.kind == dynphase::analysis::PointKind::Slow).count(),
            v.nearest_fixed_point
        );
        agree += usize::from(v.agree());
    }
    let learned: Vec<_> = nets.iter().filter(|n| n.learned).collect();
    let agree_learned = learned.iter().filter(|n| n.verdict.agree()).count();
    println!(
        "agreement: all {}/{}; learned {}/{}",
        agree,
        nets.len(),
        agree_learned,
        learned.len()
    );
    assert!(agree as f64 >= 0.9 * nets.len() as f64);
}

#[test]
#[ignore = "trains one rank-2 network for 150,000 epochs and classifies a checkpoint every 5,000 epochs (minutes); run with --ignored"]
fn fig_s1_rank2_mechanism_tracking() {
    use dynphase::analysis::index::Mechanism;
    use dynphase::analysis::tracking::{first_transition, track_rank2};
    // Fig S1: seed-30 network, T = 30, R = 10 steps, lr 0.01, 150,000 epochs (SPEC 2.3).
    let init = dynphase::plot::rank2::seed30_init().unwrap();
    let task = dynphase::rnn::task::Rank2Task::from_steps(30, 10, 0).unwrap();
    let cps = track_rank2(init, task, 0.01, 150_000, 5_000).unwrap();
    for c in &cps {
        println!(
            "epoch {:6} learned {:5} {} dtheta {:.2} late_ratio {:.3}",
            c.epoch,
            c.label.learned,
            c.mechanism,
            c.label.rotation.max_dtheta,
            c.label.rotation.late_rms_ratio
        );
    }
    let labels: Vec<(usize, Mechanism)> = cps.iter().map(|c| (c.epoch, c.mechanism)).collect();
    println!(
        "SP -> LC transition at epoch {:?}",
        first_transition(&labels, Mechanism::SlowPoint, Mechanism::LimitCycle)
    );
}
