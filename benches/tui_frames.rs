//! Frame time of every workbench screen with a 1,000,000-row customer table loaded, and the time
//! to answer a key while a 1M-row sweep runs in the background.
//!
//! `cargo bench --bench tui_frames` (generates target/bench-data/customers-1000000-s42 when it is
//! missing, like `python3 benches/compare.py`). Budget from the issue: < 10 ms per frame,
//! < 50 ms per key during a sweep.

use clap::Parser;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use seglab::recipe::Recipe;
use seglab::tui::action::Action;
use seglab::tui::app::{App, Session};
use seglab::tui::jobs::JobKind;
use seglab::tui::keymap::{Key, Keymap};
use seglab::tui::screen::Screen;
use seglab::tui::views;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn data() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-data/customers-1000000-s42");
    let csv = dir.join("customers.csv");
    if !csv.exists() {
        eprintln!("generating {} …", csv.display());
        let args = [
            "seglab",
            "demo-data",
            "--out",
            dir.to_str().unwrap(),
            "--customers",
            "1000000",
            "--transactions",
            "1000",
            "--web-events",
            "1000",
            "--seed",
            "42",
            "--force",
        ];
        seglab::cli::execute(seglab::cli::Cli::parse_from(args)).expect("demo data");
    }
    csv
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median_max(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[v.len() - 1])
}

fn main() {
    let input = data();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut recipe = Recipe::from_file(&root.join("benches/clean_recipe.toml")).unwrap();
    recipe.cluster.n_init = 1;
    recipe.cluster.silhouette_sample = 10_000;
    let session = Session {
        input: input.clone(),
        recipe_path: None,
        transactions: None,
        log_as_input: false,
    };
    let t0 = Instant::now();
    let mut app = App::new(session, recipe, Keymap::defaults());
    app.wait_idle(Duration::from_secs(1800));
    let rows = app.data.as_ref().map_or(0, |d| d.table.n_rows());
    println!(
        "{}: {rows} rows loaded, inspected and prepared in {:.1} s",
        input.display(),
        t0.elapsed().as_secs_f64()
    );
    let t1 = Instant::now();
    app.act(Action::RunSweep);
    app.wait_idle(Duration::from_secs(1800));
    assert!(app.result.is_some(), "{}", app.status);
    println!(
        "sweep k=2..10 + cluster + profiles in {:.1} s\n",
        t1.elapsed().as_secs_f64()
    );

    println!(
        "{:<10} {:>8} {:>10} {:>8}",
        "screen", "size", "median ms", "max ms"
    );
    let mut worst: f64 = 0.0;
    for (w, h) in [(120u16, 40u16), (80, 24), (200, 50)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        for s in Screen::ALL {
            app.screen = s;
            let times: Vec<f64> = (0..30)
                .map(|_| {
                    let t = Instant::now();
                    term.draw(|f| views::draw(f, &app)).unwrap();
                    ms(t.elapsed())
                })
                .collect();
            let (med, max) = median_max(times);
            worst = worst.max(max);
            println!(
                "{:<10} {:>8} {med:>10.2} {max:>8.2}",
                s.title(),
                format!("{w}x{h}")
            );
        }
    }
    println!("slowest frame: {worst:.2} ms (budget 10 ms)\n");

    // What the event loop does per key, while a 1M-row sweep runs on the other threads.
    app.screen = Screen::Data;
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    app.act(Action::RunSweep);
    let key = Key::parse("j").unwrap();
    let mut lat = Vec::new();
    while app.jobs.is_running(JobKind::Segment) {
        let t = Instant::now();
        app.on_key(key);
        app.poll_jobs();
        term.draw(|f| views::draw(f, &app)).unwrap();
        lat.push(ms(t.elapsed()));
        std::thread::sleep(Duration::from_millis(10));
    }
    app.wait_idle(Duration::from_secs(600));
    let n = lat.len();
    let (med, max) = median_max(lat);
    println!("key → handled and redrawn during the sweep: median {med:.2} ms, max {max:.2} ms over {n} keys (budget 50 ms)");
}
