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
    /// Every byte the workbench wrote, to check the escape sequences it ends with.
    raw: Vec<u8>,
}

impl Screen {
    fn pump(&mut self, wait: Duration) {
        if let Ok(bytes) = self.rx.recv_timeout(wait) {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
        while let Ok(bytes) = self.rx.try_recv() {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
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

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("seglab-tui-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `seglab tui ARGS` in a pseudo-terminal of ROWS × COLS, in `dir`.
struct Tui {
    screen: Screen,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Tui {
    fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Tui {
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
        cmd.args(args);
        cmd.cwd(dir);
        cmd.env("TERM", "xterm-256color");
        // A user's keymap or recent-files list must not leak in.
        for var in ["HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"] {
            cmd.env(var, dir.join("home"));
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
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
        Tui {
            screen: Screen {
                parser: vt100::Parser::new(rows, cols, 0),
                rx,
                raw: Vec::new(),
            },
            child,
            writer,
            master: pair.master,
        }
    }

    fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for the process to end (reading its output meanwhile).
    fn wait_exit(&mut self, what: &str) -> portable_pty::ExitStatus {
        let start = Instant::now();
        let status = loop {
            self.screen.pump(Duration::from_millis(50));
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > DEADLINE {
                self.child.kill().unwrap();
                panic!(
                    "seglab did not exit after {what}; the screen:\n{}",
                    self.screen.text()
                );
            }
        };
        self.screen.pump(Duration::from_millis(200));
        status
    }

    /// (canonical mode, echo, output processing, signals from keys) of the pseudo-terminal.
    fn line_discipline(&self) -> [bool; 4] {
        let t = self.master.get_termios().expect("termios of the pty");
        let (local, output) = (t.local_flags.bits(), t.output_flags.bits());
        [
            local & libc::ICANON != 0,
            local & libc::ECHO != 0,
            output & libc::OPOST != 0,
            local & libc::ISIG != 0,
        ]
    }
}

/// Cooked mode, main screen, no mouse reporting, cursor shown: both as the terminal (vt100)
/// sees it and as the escape sequences the workbench wrote last.
fn assert_restored(tui: &Tui, after: &str) {
    let screen = tui.screen.parser.screen();
    assert!(
        !screen.alternate_screen(),
        "alternate screen left after {after}"
    );
    assert_eq!(
        screen.mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse reporting off after {after}"
    );
    assert!(!screen.hide_cursor(), "cursor shown after {after}");
    let raw = String::from_utf8_lossy(&tui.screen.raw);
    let last = |seq: &str| raw.rfind(seq);
    for (on, off) in [
        ("\x1b[?1049h", "\x1b[?1049l"),
        ("\x1b[?1000h", "\x1b[?1000l"),
        ("\x1b[?25l", "\x1b[?25h"),
    ] {
        assert!(
            last(off) > last(on),
            "{off:?} written after the last {on:?} ({after})"
        );
    }
    assert_eq!(
        tui.line_discipline(),
        [true; 4],
        "icanon, echo, opost, isig back on after {after}"
    );
}

#[test]
fn whole_flow_with_keys_only() {
    let dir = scratch("flow");
    let mut tui = Tui::start(&dir, &[], &[]);
    let mut took = Vec::new();
    took.push((
        "load + prepare",
        tui.screen
            .wait_for(&["1 Data ✓", "2 Clean ✓", "customer_id"]),
    ));
    tui.press("2");
    took.push((
        "clean",
        tui.screen
            .wait_for(&["Rules per feature", "Preview (cleaning log)"]),
    ));
    tui.press("3");
    took.push(("features", tui.screen.wait_for(&["Scree", "[x] income"])));
    tui.press("4");
    tui.screen.wait_for(&["press r to run the sweep"]);
    tui.press("r");
    took.push((
        "sweep + cluster",
        tui.screen
            .wait_for(&["4 Cluster ✓", "Silhouette plot k=", "recommended"]),
    ));
    tui.press("5");
    took.push((
        "segments",
        tui.screen.wait_for(&["Feature means", "customers,"]),
    ));
    tui.press("6");
    tui.screen.wait_for(&["Files written (0)"]);
    tui.press("e");
    took.push((
        "export",
        tui.screen
            .wait_for(&["Files written (19)", "segments.parquet"]),
    ));
    tui.press("s");
    took.push((
        "save recipe",
        tui.screen.wait_for(&["saved out/seglab-1.toml"]),
    ));
    assert!(
        tui.screen.parser.screen().alternate_screen(),
        "the workbench draws on the alternate screen"
    );
    tui.press("q");
    let status = tui.wait_exit("q");
    for (step, t) in &took {
        eprintln!("{step}: {:.2} s", t.as_secs_f64());
    }
    assert!(status.success(), "exit status {status:?}");
    assert_restored(&tui, "q");

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
    // 5,000 segmented customers and the 100 merged duplicates, listed with no segment.
    assert_eq!(tui.len(), 5100);
    assert_eq!(tui.values().filter(|(id, _)| id.is_empty()).count(), 100);
    assert_eq!(
        tui, cli,
        "seglab run --recipe reproduces the workbench's segments"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The sample data loaded and drawn: the workbench is up, the terminal raw.
fn started(name: &str, env: &[(&str, &str)]) -> (PathBuf, Tui) {
    let dir = scratch(name);
    let mut tui = Tui::start(&dir, &[], env);
    tui.screen.wait_for(&["1 Data ✓", "customer_id"]);
    assert!(tui.screen.parser.screen().alternate_screen());
    assert_eq!(
        tui.line_discipline(),
        [false; 4],
        "raw mode while the workbench runs"
    );
    (dir, tui)
}

fn send_signal(tui: &Tui, signal: &str) {
    let pid = tui.child.process_id().expect("pid of seglab");
    let ok = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{signal} {pid}");
}

#[test]
fn each_termination_signal_restores_the_terminal_and_exits_128_plus_signo() {
    for (signal, signo) in [("TERM", 15), ("INT", 2), ("HUP", 1), ("QUIT", 3)] {
        let (dir, mut tui) = started(&format!("sig{signal}"), &[]);
        send_signal(&tui, signal);
        let status = tui.wait_exit(&format!("SIG{signal}"));
        assert_eq!(
            (status.exit_code(), status.signal()),
            (128 + signo, None),
            "SIG{signal}: {status:?}"
        );
        assert_restored(&tui, &format!("SIG{signal}"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_panicking_job_leaves_the_workbench_running() {
    // The hook makes the Segment job panic: the sweep fails, the terminal is not touched.
    let (dir, mut tui) = started("jobpanic", &[("SEGLAB_TEST_PANIC_IN_JOB", "segment")]);
    tui.screen.wait_for(&["2 Clean ✓"]);
    tui.press("4");
    tui.screen.wait_for(&["press r to run the sweep"]);
    let before = tui.screen.raw.len();
    tui.press("r");
    tui.screen
        .wait_for(&["sweep + cluster: internal error: injected by SEGLAB_TEST_PANIC_IN_JOB"]);
    let after_panic = String::from_utf8_lossy(&tui.screen.raw[before..]).into_owned();
    for seq in ["\x1b[?1049l", "\x1b[?1000l", "panicked at"] {
        assert!(
            !after_panic.contains(seq),
            "{seq:?} written after the job panicked"
        );
    }
    assert!(tui.screen.parser.screen().alternate_screen());
    assert_eq!(tui.line_discipline(), [false; 4], "still raw");
    // Keys still arrive one by one (no Enter needed) and act.
    tui.press("3");
    tui.screen.wait_for(&["Scree"]);
    tui.press("1");
    tui.screen.wait_for(&["customer_id"]);
    tui.press("q");
    let status = tui.wait_exit("q");
    assert!(status.success(), "{status:?}");
    assert_restored(&tui, "q after a job panic");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_open_shows_the_error_and_keeps_the_session() {
    let (dir, mut tui) = started("badopen", &[]);
    tui.screen.wait_for(&["2 Clean ✓"]);
    std::fs::write(
        dir.join("blob.csv"),
        [0u8, 159, 146, 150, 0, 1, 2, 3, 255, 0],
    )
    .unwrap();
    tui.press("o");
    tui.screen.wait_for(&["Open file"]);
    // Replace the proposed path with the binary file.
    tui.press(&"\x7f".repeat(300));
    tui.press("blob.csv\r");
    tui.screen.wait_for(&["cannot open", "blob.csv"]);
    let text = tui.screen.text();
    assert!(!text.contains("loading…"), "{text}");
    assert!(
        text.contains("customer_id"),
        "the loaded data stays:\n{text}"
    );
    assert!(
        text.contains("2 Clean ✓"),
        "the prepared data stays:\n{text}"
    );
    tui.press("q");
    assert!(tui.wait_exit("q").success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_log_details_and_the_rfm_panel_with_keys_only() {
    // The sample recipe attaches the sample transaction log.
    let (dir, mut tui) = started("logs", &[]);
    tui.screen.wait_for(&["2 Clean ✓", "transactions.csv"]);
    tui.press("s");
    tui.screen.wait_for(&[
        "Column roles",
        "96,270 of 100,000 lines are purchases",
        "netted: cancellations and returns",
    ]);
    tui.press("n");
    tui.screen
        .wait_for(&["excluded: cancellations and returns", "exclude (left out)"]);
    tui.press("5");
    tui.press("v");
    tui.screen
        .wait_for(&["R × F", "Champions", "Loyal Customers"]);
    tui.press("q");
    assert!(tui.wait_exit("q").success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The workbench's state machine in process (no terminal): the same `App` the binary drives,
/// fed the same keys, its jobs awaited.
mod sources {
    use seglab::recipe::Recipe;
    use seglab::tui::app::{App, Overlay, PickPurpose, Session};
    use seglab::tui::keymap::{Key, Keymap};
    use std::path::PathBuf;
    use std::time::Duration;

    const WAIT: Duration = Duration::from_secs(300);

    fn app_on(input: &str) -> App {
        let session = Session {
            input: PathBuf::from(input),
            recipe_path: None,
            transactions: None,
            log_as_input: false,
        };
        let mut app = App::new(session, Recipe::default(), Keymap::defaults());
        app.wait_idle(WAIT);
        app
    }

    fn key(app: &mut App, k: &str) {
        app.on_key(Key::parse(k).unwrap());
    }

    /// Replaces the text of the open input with `text` and presses Enter.
    fn type_in(app: &mut App, text: &str) {
        for _ in 0..400 {
            key(app, "backspace");
        }
        for c in text.chars() {
            key(app, &c.to_string());
        }
        key(app, "enter");
        app.wait_idle(WAIT);
    }

    fn log_facts(app: &App) -> &seglab::engine::inputs::LogFacts {
        let p = app.prepared.as_ref().expect("prepared");
        p.log.as_ref().expect("the log was read")
    }

    #[test]
    fn attach_a_log_change_a_role_toggle_returns_and_set_the_as_of_date() {
        let mut app = app_on("sample-data/customers.csv");
        assert!(app.prepared.as_ref().unwrap().log.is_none());
        // Attach: a path prompt, the recipe's file made absolute, the preparation rerun.
        key(&mut app, "T");
        assert!(matches!(app.overlay, Overlay::Input { .. }));
        type_in(&mut app, "sample-data/transactions.csv");
        let file = app
            .recipe
            .transactions
            .as_ref()
            .unwrap()
            .file
            .clone()
            .unwrap();
        assert!(PathBuf::from(&file).is_absolute(), "{file}");
        assert!(file.ends_with("sample-data/transactions.csv"), "{file}");
        let f = log_facts(&app);
        assert_eq!(f.roles.customer, "customer_id");
        assert_eq!(f.roles.product.as_deref(), Some("sku"));
        assert!(f.roles.guessed.contains(&"product = sku".to_string()));
        assert_eq!(
            (f.hygiene.rows_read, f.hygiene.rows_kept),
            (100_000, 96_270)
        );
        let cleaned = &app.prepared.as_ref().unwrap().prepared.cleaned;
        assert!(cleaned.column("frequency").is_some() && cleaned.column("rfm_segment").is_some());

        // A role: pick "product" (the 7th role), then the log's "category" column.
        key(&mut app, "g");
        assert!(app.cur.sources, "the details show what the pick changes");
        for _ in 0..6 {
            key(&mut app, "down");
        }
        key(&mut app, "enter");
        let Overlay::Pick {
            purpose: PickPurpose::Column(6),
            selected,
        } = app.overlay.clone()
        else {
            panic!("{:?}", app.overlay)
        };
        let columns = log_facts(&app).columns.clone();
        assert_eq!(columns[selected - 1], "sku", "opens on the column in use");
        let category = columns.iter().position(|c| c == "category").unwrap() + 1;
        for _ in 0..selected.abs_diff(category) {
            key(&mut app, if category > selected { "down" } else { "up" });
        }
        key(&mut app, "enter");
        app.wait_idle(WAIT);
        let t = app.recipe.transactions.as_ref().unwrap();
        assert_eq!(t.product.as_deref(), Some("category"));
        let f = log_facts(&app);
        assert_eq!(f.roles.product.as_deref(), Some("category"));
        assert!(!f.roles.guessed.iter().any(|g| g.starts_with("product")));

        // Returns: exclude (the default) → net, with the hygiene report following.
        let rule = |app: &App| {
            log_facts(app)
                .hygiene
                .lines()
                .into_iter()
                .find(|l| l.contains("cancellations and returns"))
                .unwrap()
        };
        assert!(rule(&app).starts_with("excluded:"), "{}", rule(&app));
        key(&mut app, "n");
        app.wait_idle(WAIT);
        assert!(rule(&app).starts_with("netted:"), "{}", rule(&app));

        // As-of: empty is the day after the last purchase; a date is used as given; a bad one
        // is refused without a change.
        let as_of = |app: &App| app.prepared.as_ref().unwrap().prepared.fitted.as_of.clone();
        let log_end = log_facts(&app).default_as_of.unwrap().to_string();
        assert_eq!(as_of(&app), log_end);
        key(&mut app, "a");
        type_in(&mut app, "2025-06-30");
        assert_eq!(app.recipe.features.as_of.as_deref(), Some("2025-06-30"));
        assert_eq!(as_of(&app), "2025-06-30");
        let before = app.recipe.clone();
        key(&mut app, "a");
        type_in(&mut app, "2025-13-01");
        assert!(
            app.status_is_error && app.status.contains("2025-13-01"),
            "{}",
            app.status
        );
        assert_eq!(app.recipe, before);
        key(&mut app, "a");
        type_in(&mut app, "");
        assert_eq!(app.recipe.features.as_of, None);
        assert_eq!(as_of(&app), log_end);

        // Undo walks back through every change: two as-of dates, returns, role, attach.
        for _ in 0..5 {
            key(&mut app, "u");
        }
        app.wait_idle(WAIT);
        assert!(app
            .recipe
            .transactions
            .as_ref()
            .and_then(|t| t.file.as_ref())
            .is_none());
        assert!(app.prepared.as_ref().unwrap().log.is_none());
        // Redo attaches it again; detach (x) removes it.
        key(&mut app, "U");
        app.wait_idle(WAIT);
        assert!(app.prepared.as_ref().unwrap().log.is_some());
        key(&mut app, "x");
        app.wait_idle(WAIT);
        assert!(app.prepared.as_ref().unwrap().log.is_none());
        assert!(app.log_path().is_none());
    }

    #[test]
    fn attach_and_detach_the_events_log() {
        let mut app = app_on("sample-data/customers.csv");
        let has_sessions = |app: &App| {
            let p = app.prepared.as_ref().expect("prepared");
            p.prepared.cleaned.column("sessions").is_some()
        };
        assert!(!has_sessions(&app));
        // The sample's events end in 2025: a window of 90 days before today would be empty.
        key(&mut app, "a");
        type_in(&mut app, "2026-01-01");
        key(&mut app, "E");
        type_in(&mut app, "sample-data/web_events.csv");
        let file = app.recipe.events.as_ref().unwrap().file.clone().unwrap();
        assert!(PathBuf::from(&file).is_absolute(), "{file}");
        assert!(has_sessions(&app), "{}", app.status);
        key(&mut app, "X");
        app.wait_idle(WAIT);
        assert!(!has_sessions(&app));
        assert!(app.recipe.events.as_ref().unwrap().file.is_none());
        key(&mut app, "u");
        app.wait_idle(WAIT);
        assert!(has_sessions(&app));
        // A path that is not a file changes nothing.
        let before = app.recipe.clone();
        key(&mut app, "E");
        type_in(&mut app, "sample-data/no-such-log.csv");
        assert!(app.status_is_error && app.status.contains("no such file"));
        assert_eq!(app.recipe, before);
    }

    #[test]
    fn the_rfm_panel_shows_the_grid_of_the_sample_log() {
        let mut app = app_on("sample-data/customers.csv");
        key(&mut app, "5");
        key(&mut app, "v");
        assert!(app.cur.rfm);
        assert!(app.rfm.is_none(), "no log, no RFM");
        key(&mut app, "1");
        key(&mut app, "T");
        type_in(&mut app, "sample-data/transactions.csv");
        let v = app.rfm.as_ref().expect("computed after the preparation");
        assert_eq!(v.inputs, app.prepared_gen);
        let grid: usize = v.grid.iter().flatten().map(|c| c.customers).sum();
        // 4,999 buyers in the log; the customer table's dedup may merge a few of them.
        assert!((4_900..=4_999).contains(&grid), "{grid}");
        let champions = &v.segments[0];
        assert_eq!(champions.segment, "Champions");
        // Champions are R 5 with F 4-5 (assets/rfm_segments.toml): exactly those two cells.
        assert_eq!(
            champions.customers,
            v.grid[4][3].customers + v.grid[4][4].customers
        );
        let ids = &v.members[0];
        assert_eq!(ids.len(), champions.customers);
        assert_eq!(v.id_column.as_deref(), Some("customer_id"));
        // A change reruns the preparation, then the RFM job on its result.
        let before = (app.prepared_gen, champions.customers);
        key(&mut app, "n");
        app.wait_idle(WAIT);
        let v = app.rfm.as_ref().unwrap();
        assert_eq!((v.inputs, app.prepared_gen), (before.0 + 1, before.0 + 1));
        assert_ne!(v.segments[0].customers, 0);
    }

    #[test]
    fn a_log_opened_as_the_main_file_is_offered_as_a_log() {
        let mut app = app_on("sample-data/customers.csv");
        let rows = app.data.as_ref().unwrap().report.rows;
        key(&mut app, "o");
        type_in(&mut app, "sample-data/transactions.csv");
        assert_eq!(app.overlay, Overlay::LogOffer);
        // Nothing changed while the question is open.
        assert_eq!(
            app.session.input,
            PathBuf::from("sample-data/customers.csv")
        );
        assert_eq!(app.data.as_ref().unwrap().report.rows, rows);
        // n: the session stays.
        key(&mut app, "n");
        assert_eq!(app.overlay, Overlay::None);
        assert_eq!(
            app.session.input,
            PathBuf::from("sample-data/customers.csv")
        );
        assert!(!app.session.log_as_input);
        assert_eq!(app.data.as_ref().unwrap().report.rows, rows);
        // y: the log is the main file, its buyers the customers.
        key(&mut app, "o");
        type_in(&mut app, "sample-data/transactions.csv");
        assert_eq!(app.overlay, Overlay::LogOffer);
        key(&mut app, "y");
        app.wait_idle(WAIT);
        assert!(app.session.log_as_input, "{}", app.status);
        assert_eq!(
            app.session.input,
            PathBuf::from("sample-data/transactions.csv")
        );
        let p = app.prepared.as_ref().expect("prepared from the log");
        assert_eq!(p.prepared.cleaned.n_rows(), 4_999);
        assert!(p.log.is_some());
        assert!(app.rfm.is_some());
        // Attaching another log makes no sense here, and says why.
        key(&mut app, "1");
        key(&mut app, "T");
        assert!(
            app.status_is_error && app.status.contains("main file"),
            "{}",
            app.status
        );
    }

    #[test]
    fn a_log_given_at_start_is_offered_too() {
        let mut app = app_on("sample-data/transactions.csv");
        assert_eq!(app.overlay, Overlay::LogOffer);
        assert!(app.data.is_none() && app.prepared.is_none());
        key(&mut app, "y");
        app.wait_idle(WAIT);
        assert!(app.session.log_as_input);
        assert_eq!(
            app.prepared.as_ref().unwrap().prepared.cleaned.n_rows(),
            4_999
        );
        // n on a first file: nothing to keep, so the file shows as a table and the preparation
        // says why it refuses it.
        let mut app = app_on("sample-data/transactions.csv");
        key(&mut app, "n");
        app.wait_idle(WAIT);
        assert!(app.data.is_some());
        assert!(app.prepared.is_none());
        assert!(
            app.status.contains("looks like a transaction log"),
            "{}",
            app.status
        );
    }
}
