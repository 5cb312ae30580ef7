//! Long studies (ignored by default; run with
//! `cargo test --release --test analysis_studies -- --ignored --nocapture`).
//! They print the numbers quoted in the analysis documentation and assert the paper's
//! qualitative findings.

use dynphase::analysis::classify::ClassifyConfig;
use dynphase::analysis::fixed_points::FixedPointConfig;
use dynphase::analysis::rank2::Fig3cRow;
use dynphase::analysis::studies::{full_rank_agreement_study, post_study_budget, rank2_post_study};

#[test]
#[ignore]
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
        for n in nets.iter().filter(|n| n.delay_steps == d) {
            println!(
                "  seed {:2} post {:5} learned {:5} LC {:5} dtheta {:7.2} late_ratio {:.3} loss {:.3e}",
                n.seed, n.post, n.label.learned, n.label.rotation.is_lc, n.label.rotation.max_dtheta,
                n.label.rotation.late_rms_ratio, n.final_loss
            );
        }
        assert!(fp > 0.8, "with post almost all learned networks rotate");
    }
}

#[test]
#[ignore]
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
