//! Every screen of the workbench rendered on a fixed-size TestBackend and compared with a
//! snapshot (tests/snapshots/), driven through the same actions the keys trigger. Jobs are
//! awaited (`wait_idle`), never slept on. To accept changed screens: `INSTA_UPDATE=always cargo
//! test --release --test tui_screens`, then read the .snap files before committing them.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use seglab::recipe::Recipe;
use seglab::tui::action::Action;
use seglab::tui::app::{App, Session};
use seglab::tui::keymap::{Key, Keymap};
use seglab::tui::screen::Screen;
use seglab::tui::views;
use std::path::PathBuf;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(300);

/// The sample data with the sample recipe, loaded, prepared and (when `sweep`) clustered.
fn sample_app(sweep: bool) -> App {
    let recipe_path = PathBuf::from("sample-data/recipe.toml");
    let recipe = Recipe::from_file(&recipe_path).unwrap();
    let session = Session {
        input: PathBuf::from("sample-data/customers.csv"),
        recipe_path: Some(recipe_path),
        transactions: None,
        log_as_input: false,
    };
    let mut app = App::new(session, recipe, Keymap::defaults());
    app.wait_idle(WAIT);
    assert!(
        app.data.is_some() && app.prepared.is_some(),
        "{}",
        app.status
    );
    if sweep {
        app.act(Action::RunSweep);
        app.wait_idle(WAIT);
        assert!(app.result.is_some(), "{}", app.status);
    }
    // Fixed, so that snapshots do not depend on which job finished last or on out/.
    app.say("ready");
    app.out_dir = PathBuf::from("out/snapshot-export");
    app
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::draw(f, app)).unwrap();
    t.backend().to_string()
}

fn key(app: &mut App, k: &str) {
    app.on_key(Key::parse(k).unwrap());
}

#[test]
fn every_screen_at_120x40_and_80x24() {
    let mut app = sample_app(true);
    for screen in Screen::ALL {
        app.screen = screen;
        for (w, h) in [(120, 40), (80, 24)] {
            let name = format!("{}_{w}x{h}", screen.title().to_lowercase());
            insta::assert_snapshot!(name, render(&app, w, h));
        }
    }
}

#[test]
fn help_palette_and_presentation() {
    let mut app = sample_app(true);
    key(&mut app, "4");
    assert_eq!(app.screen, Screen::Cluster);
    key(&mut app, "?");
    insta::assert_snapshot!("help_cluster", render(&app, 100, 36));
    key(&mut app, "esc");
    key(&mut app, ":");
    for c in "save".chars() {
        key(&mut app, &c.to_string());
    }
    insta::assert_snapshot!("palette_save", render(&app, 100, 30));
    key(&mut app, "esc");
    key(&mut app, "f3");
    insta::assert_snapshot!("cluster_presentation_80x24", render(&app, 80, 24));
}

#[test]
fn browsing_k_updates_the_silhouette_plot() {
    let mut app = sample_app(true);
    key(&mut app, "4");
    let k0 = app.cur.k;
    key(&mut app, "right");
    app.wait_idle(WAIT);
    assert_eq!(app.cur.k, k0 + 1);
    let v = app.kview.as_ref().expect("silhouette at the new k");
    assert_eq!(v.k, k0 + 1);
    assert_eq!(v.by_cluster.len(), k0 + 1);
    assert!(render(&app, 120, 40).contains(&format!("Silhouette plot k={}", k0 + 1)));
    // Enter uses it: the segments are refitted at that k.
    key(&mut app, "enter");
    app.wait_idle(WAIT);
    assert_eq!(app.recipe.cluster.k, Some(k0 + 1));
    assert_eq!(
        app.result.as_ref().unwrap().segmented.segmentation.k,
        k0 + 1
    );
}

#[test]
fn undo_and_redo_feature_choices() {
    let mut app = sample_app(false);
    let before = app.recipe.features.columns.clone();
    key(&mut app, "3");
    key(&mut app, "space");
    assert_ne!(app.recipe.features.columns, before);
    app.wait_idle(WAIT);
    let n = app.prepared.as_ref().unwrap().prepared.features.names.len();
    assert_eq!(
        n,
        app.recipe.features.columns.len(),
        "the preview followed the change: {}",
        app.status
    );
    key(&mut app, "u");
    assert_eq!(app.recipe.features.columns, before);
    key(&mut app, "ctrl-y");
    assert_ne!(app.recipe.features.columns, before);
    app.wait_idle(WAIT);
}

#[test]
fn rename_a_segment_inline() {
    let mut app = sample_app(true);
    key(&mut app, "5");
    key(&mut app, "r");
    for _ in 0..40 {
        key(&mut app, "backspace");
    }
    for c in "Weekend Shoppers".chars() {
        key(&mut app, &c.to_string());
    }
    key(&mut app, "enter");
    app.wait_idle(WAIT);
    let p = &app.result.as_ref().unwrap().outcome.personas[0];
    assert_eq!(p.name, "Weekend Shoppers");
    // Kept with the segment's identity (its centroid), not its number, so it follows re-runs.
    assert!(app.recipe.segments.rename.is_empty());
    let named = &app.recipe.segments.names;
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].name, "Weekend Shoppers");
    let model = &app.result.as_ref().unwrap().outcome.model;
    let d = model.n_cols;
    assert_eq!(named[0].centroid, model.centroids[p.id * d..(p.id + 1) * d]);
    assert!(render(&app, 120, 40).contains("Weekend Shoppers"));
}

#[test]
fn cancel_stops_a_running_sweep() {
    let mut app = sample_app(false);
    key(&mut app, "4");
    key(&mut app, "r");
    assert!(app.jobs.busy());
    key(&mut app, "x");
    assert!(!app.jobs.busy());
    assert!(app.status.starts_with("cancelled"), "{}", app.status);
    app.wait_idle(WAIT);
    assert!(
        app.result.is_none(),
        "the cancelled job's result is dropped"
    );
}

#[test]
fn rejecting_a_fuzzy_pair_keeps_the_records_apart() {
    let mut app = sample_app(false);
    let prepared = app.prepared.clone().unwrap();
    let (rows, pairs) = (
        prepared.prepared.cleaned.n_rows(),
        prepared.prepared.duplicates.len(),
    );
    assert!(pairs > 0);
    key(&mut app, "2");
    key(&mut app, "space");
    assert_eq!(app.recipe.clean.dedup.keep_apart.len(), 1);
    app.wait_idle(WAIT);
    let now = app.prepared.as_ref().unwrap();
    assert_eq!(now.prepared.duplicates.len(), pairs - 1);
    assert_eq!(now.prepared.cleaned.n_rows(), rows + 1);
}

#[test]
fn dbscan_parameters_from_the_cluster_screen() {
    let mut app = sample_app(false);
    key(&mut app, "4");
    key(&mut app, "a");
    key(&mut app, "a");
    for (k, value) in [("e", "0.6"), ("m", "10")] {
        key(&mut app, k);
        for _ in 0..10 {
            key(&mut app, "backspace");
        }
        for c in value.chars() {
            key(&mut app, &c.to_string());
        }
        key(&mut app, "enter");
    }
    assert_eq!(
        (app.recipe.cluster.eps, app.recipe.cluster.min_points),
        (0.6, 10)
    );
    key(&mut app, "e");
    key(&mut app, "backspace");
    key(&mut app, "backspace");
    key(&mut app, "backspace");
    key(&mut app, "-");
    key(&mut app, "1");
    key(&mut app, "enter");
    assert!(app.status_is_error && app.status.contains("eps must be a positive number"));
    assert_eq!(app.recipe.cluster.eps, 0.6);
    key(&mut app, "r");
    app.wait_idle(WAIT);
    let res = app.result.as_ref().expect("a DBSCAN result");
    assert_eq!(
        res.segmented.segmentation.algorithm,
        seglab::engine::segment::Algorithm::Dbscan
    );
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("k-distance") && screen.contains("eps 0.6 (e)"),
        "{screen}"
    );
}

#[test]
fn export_writes_the_chosen_formats_and_never_overwrites() {
    let mut app = sample_app(true);
    let out = std::env::temp_dir().join(format!("seglab-tui-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    app.out_dir = out.join("run");
    key(&mut app, "6");
    key(&mut app, "p");
    key(&mut app, "g");
    key(&mut app, "e");
    app.wait_idle(WAIT);
    let files = app.exported.clone();
    assert!(files.contains(&"segments.csv".to_string()), "{files:?}");
    assert!(
        files.contains(&"model.json".to_string()) && files.contains(&"personas.md".to_string())
    );
    assert!(
        !files
            .iter()
            .any(|f| f.ends_with(".parquet") || f.starts_with("charts")),
        "{files:?}"
    );
    // A second export goes to a new folder.
    key(&mut app, "e");
    app.wait_idle(WAIT);
    assert_ne!(app.out_dir, out.join("run"));
    assert!(out.join("run/segments.csv").is_file() && app.out_dir.join("segments.csv").is_file());
    let _ = std::fs::remove_dir_all(&out);
}

/// A scratch file for one test (removed by the caller).
fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("seglab-tui-screens-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_failed_open_keeps_the_session_and_shows_the_error() {
    let mut app = sample_app(true);
    // A rename, so that there is undo history and a name to keep.
    key(&mut app, "5");
    key(&mut app, "r");
    for _ in 0..40 {
        key(&mut app, "backspace");
    }
    for c in "Loyal Few".chars() {
        key(&mut app, &c.to_string());
    }
    key(&mut app, "enter");
    app.wait_idle(WAIT);
    let recipe = app.recipe.clone();
    let rows = app.data.as_ref().unwrap().report.rows;

    let blob = scratch_file("blob.csv", &[0, 159, 146, 150, 0, 255, 0, 1]);
    key(&mut app, "1");
    key(&mut app, "o");
    for _ in 0..300 {
        key(&mut app, "backspace");
    }
    for c in blob.display().to_string().chars() {
        key(&mut app, &c.to_string());
    }
    key(&mut app, "enter");
    app.wait_idle(WAIT);
    let _ = std::fs::remove_file(&blob);

    assert!(app.status_is_error, "{}", app.status);
    assert!(app.status.starts_with("cannot open"), "{}", app.status);
    assert!(app.status.contains("blob.csv"), "{}", app.status);
    assert_eq!(
        app.session.input,
        PathBuf::from("sample-data/customers.csv")
    );
    assert_eq!(app.data.as_ref().unwrap().report.rows, rows);
    assert!(app.prepared.is_some());
    let res = app.result.as_ref().expect("the sweep stays");
    assert_eq!(res.outcome.personas[0].name, "Loyal Few");
    assert_eq!(app.recipe, recipe);
    let screen = render(&app, 120, 40);
    assert!(!screen.contains("loading…"), "{screen}");
    assert!(screen.contains("customer_id"), "{screen}");
    // The rename is still the last thing undo takes back.
    key(&mut app, "u");
    assert!(!app
        .recipe
        .segments
        .rename
        .values()
        .any(|n| n == "Loyal Few"));
    app.wait_idle(WAIT);
}

#[test]
fn a_failed_first_load_shows_the_error_instead_of_loading() {
    let blob = scratch_file("first.csv", &[0, 159, 146, 150, 0, 255, 0, 1]);
    let session = Session {
        input: blob.clone(),
        recipe_path: None,
        transactions: None,
        log_as_input: false,
    };
    let mut app = App::new(session, Recipe::default(), Keymap::defaults());
    app.wait_idle(WAIT);
    let _ = std::fs::remove_file(&blob);
    assert!(app.data.is_none());
    let screen = render(&app, 120, 40);
    assert!(!screen.contains("loading…"), "{screen}");
    assert!(screen.contains("cannot load"), "{screen}");
}

#[test]
fn sources_list_and_transaction_log_details() {
    let mut app = sample_app(false);
    // The sample recipe attaches transactions.csv and web_events.csv.
    let screen = render(&app, 80, 24);
    for text in [
        "Sources",
        "customers.csv",
        "transactions.csv",
        "web_events.csv",
    ] {
        assert!(screen.contains(text), "{text}:\n{screen}");
    }
    key(&mut app, "s");
    assert!(app.cur.sources);
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = render(&app, w, h);
        for text in [
            "customer_id",
            "guessed",
            "96,270 of 100,000 lines are purchases",
            "netted: cancellations and returns",
            "2026-01-01 (as stated)",
        ] {
            assert!(screen.contains(text), "{text} at {w}x{h}:\n{screen}");
        }
        insta::assert_snapshot!(format!("sources_{w}x{h}"), screen);
    }
}

#[test]
fn without_a_log_the_rfm_panel_says_how_to_attach_one() {
    let session = Session {
        input: PathBuf::from("sample-data/customers.csv"),
        recipe_path: None,
        transactions: None,
        log_as_input: false,
    };
    let mut app = App::new(session, Recipe::default(), Keymap::defaults());
    app.wait_idle(WAIT);
    key(&mut app, "5");
    key(&mut app, "v");
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("Attach one on the Data screen: 1, then T"),
        "{screen}"
    );
    key(&mut app, "1");
    let screen = render(&app, 80, 24);
    assert!(screen.contains("none (T attaches)"), "{screen}");
}

#[test]
fn rfm_panel_at_80x24_and_120x40() {
    let mut app = sample_app(false);
    key(&mut app, "5");
    key(&mut app, "v");
    app.wait_idle(WAIT);
    let v = app.rfm.as_ref().expect("the RFM job ran");
    assert_eq!(v.inputs, app.prepared_gen);
    let in_grid: usize = v.grid.iter().flatten().map(|c| c.customers).sum();
    let buyers: usize = v
        .segments
        .iter()
        .filter(|s| s.segment != "No purchases")
        .map(|s| s.customers)
        .sum();
    assert_eq!(in_grid, buyers);
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = render(&app, w, h);
        for text in ["R × F", "Champions", "Lost", "as of 2026-01-01"] {
            assert!(screen.contains(text), "{text} at {w}x{h}:\n{screen}");
        }
        insta::assert_snapshot!(format!("rfm_{w}x{h}"), screen);
    }
}
