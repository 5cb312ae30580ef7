//! README.md quotes program output: every ```text block that directly follows a ```bash
//! block. This test runs the bash block's `cargo run --release -- ...` commands with the
//! binary (in a scratch directory, in order) and checks that every quoted line is a line of
//! their output (standard output and error), so the README cannot drift from the program.

use std::path::Path;

/// (commands, quoted lines) of each bash block followed by a text block.
fn quoted_blocks(readme: &str) -> Vec<(Vec<Vec<String>>, Vec<String>)> {
    let mut blocks: Vec<(String, Vec<String>)> = Vec::new();
    let mut cur: Option<(String, Vec<String>)> = None;
    for line in readme.lines() {
        match &mut cur {
            None => {
                if let Some(lang) = line.strip_prefix("```") {
                    cur = Some((lang.trim().to_string(), Vec::new()));
                }
            }
            Some((_, body)) => {
                if line.trim_start().starts_with("```") {
                    blocks.push(cur.take().unwrap());
                } else {
                    body.push(line.to_string());
                }
            }
        }
    }
    let mut out = Vec::new();
    for w in blocks.windows(2) {
        if w[0].0 == "bash" && w[1].0 == "text" {
            out.push((commands(&w[0].1), w[1].1.clone()));
        }
    }
    out
}

/// The argument lists of the `cargo run --release -- ...` lines (continuations joined,
/// comments dropped).
fn commands(lines: &[String]) -> Vec<Vec<String>> {
    let mut joined = Vec::new();
    let mut acc = String::new();
    for l in lines {
        let l = match l.find(" #") {
            Some(i) => &l[..i],
            None => l.as_str(),
        };
        if l.trim_start().starts_with('#') {
            continue;
        }
        match l.trim_end().strip_suffix('\\') {
            Some(head) => acc.push_str(head),
            None => {
                acc.push_str(l);
                joined.push(std::mem::take(&mut acc));
            }
        }
    }
    joined
        .iter()
        .filter_map(|c| c.trim().strip_prefix("cargo run --release -- "))
        .map(|a| a.split_whitespace().map(String::from).collect())
        .collect()
}

fn run(dir: &Path, args: &[String]) -> String {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_dynphase"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "dynphase {}: {text}", args.join(" "));
    text
}

#[test]
fn readme_quotes_the_real_output() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let blocks = quoted_blocks(&readme);
    assert!(
        blocks.len() >= 2,
        "README quotes output after the tour's commands"
    );
    for (cmds, quoted) in blocks {
        assert!(
            !cmds.is_empty(),
            "a quoted output without a command: {quoted:?}"
        );
        let tmp = tempfile::tempdir().unwrap();
        // The commands run as from a clone: the model files they name are there.
        let models = tmp.path().join("models");
        std::fs::create_dir(&models).unwrap();
        for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/models")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), models.join(e.file_name())).unwrap();
        }
        let output: String = cmds.iter().map(|c| run(tmp.path(), c)).collect();
        let lines: Vec<&str> = output.lines().map(str::trim).collect();
        for q in quoted.iter().map(|q| q.trim()).filter(|q| !q.is_empty()) {
            assert!(
                lines.contains(&q),
                "README quotes '{q}', not printed by {cmds:?}:\n{output}"
            );
        }
    }
}

#[test]
fn the_parser_finds_commands_and_quotes() {
    let md = "```bash\n# comment\ncargo run --release -- theory --a 1 \\\n    --b 2   # note\n\
              cargo test\n```\n```text\n  out line\n```\n```bash\ncargo run --release -- x\n```\n";
    let b = quoted_blocks(md);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].0, vec![vec!["theory", "--a", "1", "--b", "2"]]);
    assert_eq!(b[0].1, vec!["  out line"]);
}
