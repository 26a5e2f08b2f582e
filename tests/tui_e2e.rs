//! The real binary in a pseudo-terminal, driven with keys only through Data → Clean → Features →
//! Cluster → Segments → Export on the sample data. Checks the exported files, that the terminal
//! was restored, and that the saved recipe reproduces the same labels headless.

mod common;

use common::segments_by_id;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const ROWS: u16 = 40;
const COLS: u16 = 120;
/// Generous: CI is a slow 2-core machine.
const DEADLINE: Duration = Duration::from_secs(180);

struct Screen {
    parser: vt100::Parser,
    rx: Receiver<Vec<u8>>,
}

impl Screen {
    fn pump(&mut self, wait: Duration) {
        if let Ok(bytes) = self.rx.recv_timeout(wait) {
            self.parser.process(&bytes);
        }
        while let Ok(bytes) = self.rx.try_recv() {
            self.parser.process(&bytes);
        }
    }

    fn text(&self) -> String {
        self.parser.screen().contents()
    }

    /// Polls the parsed screen until every text shows (a deadline, not a fixed sleep).
    fn wait_for(&mut self, texts: &[&str]) -> Duration {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            self.pump(Duration::from_millis(50));
            let t = self.text();
            if texts.iter().all(|x| t.contains(x)) {
                return start.elapsed();
            }
        }
        panic!(
            "timed out waiting for {texts:?}; the screen:\n{}",
            self.text()
        );
    }
}

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("seglab-tui-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn whole_flow_with_keys_only() {
    let dir = scratch();
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_seglab"));
    cmd.arg("tui");
    cmd.cwd(&dir);
    cmd.env("TERM", "xterm-256color");
    // A user's keymap or recent-files list must not leak in.
    for var in ["HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"] {
        cmd.env(var, dir.join("home"));
    }
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let rows = NonZeroU16::new(ROWS).unwrap();
    let cols = NonZeroU16::new(COLS).unwrap();
    let mut screen = Screen {
        parser: vt100::Parser::new(rows, cols, 0),
        rx,
    };
    let mut press = |keys: &str| {
        writer.write_all(keys.as_bytes()).unwrap();
        writer.flush().unwrap();
    };
    let mut took = Vec::new();
    took.push((
        "load + prepare",
        screen.wait_for(&["1 Data ✓", "2 Clean ✓", "customer_id"]),
    ));
    press("2");
    took.push((
        "clean",
        screen.wait_for(&["Rules per feature", "Preview (cleaning log)"]),
    ));
    press("3");
    took.push(("features", screen.wait_for(&["Scree", "[x] income"])));
    press("4");
    screen.wait_for(&["press r to run the sweep"]);
    press("r");
    took.push((
        "sweep + cluster",
        screen.wait_for(&["4 Cluster ✓", "Silhouette plot k=", "recommended"]),
    ));
    press("5");
    took.push((
        "segments",
        screen.wait_for(&["Feature means", "customers,"]),
    ));
    press("6");
    screen.wait_for(&["Files written (0)"]);
    press("e");
    took.push((
        "export",
        screen.wait_for(&["Files written (19)", "segments.parquet"]),
    ));
    press("s");
    took.push(("save recipe", screen.wait_for(&["saved out/seglab-1.toml"])));
    assert!(
        screen.parser.screen().alternate_screen(),
        "the workbench draws on the alternate screen"
    );
    press("q");
    let start = Instant::now();
    let status = loop {
        screen.pump(Duration::from_millis(50));
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > DEADLINE {
            child.kill().unwrap();
            panic!(
                "seglab did not exit after q; the screen:\n{}",
                screen.text()
            );
        }
    };
    screen.pump(Duration::from_millis(200));
    for (step, t) in &took {
        eprintln!("{step}: {:.2} s", t.as_secs_f64());
    }
    assert!(status.success(), "exit status {status:?}");
    // Restored: back on the main screen, no mouse reporting.
    assert!(!screen.parser.screen().alternate_screen());
    assert_eq!(
        screen.parser.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None
    );

    let out = dir.join("out/seglab-1");
    for f in [
        "segments.csv",
        "segments.parquet",
        "personas.md",
        "personas.json",
        "sweep.csv",
        "manifest.json",
        "model.json",
        "charts/elbow.png",
        "charts/silhouette.png",
        "charts/scatter.png",
    ] {
        assert!(out.join(f).is_file(), "{f} was exported");
    }
    let recipe = dir.join("out/seglab-1.toml");
    assert!(recipe.is_file());

    // The saved recipe reproduces the labels headless.
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/customers.csv");
    let headless = dir.join("headless");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_seglab"))
        .args(["run", "--recipe"])
        .arg(&recipe)
        .arg(&sample)
        .arg("--out")
        .arg(&headless)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (tui, cli) = (
        segments_by_id(&out.join("segments.csv")),
        segments_by_id(&headless.join("segments.csv")),
    );
    assert_eq!(tui.len(), 5000);
    assert_eq!(
        tui, cli,
        "seglab run --recipe reproduces the workbench's segments"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
