//! Keys while a dialog is open: the help screen, the command palette and one-line inputs take
//! the keyboard before the keymap does.

use super::action::{Action, ACTIONS};
use super::app::{App, InputPurpose, Overlay, Stage};
use super::keymap::Key;
use crossterm::event::KeyCode;
use std::path::PathBuf;

/// True when the key was used by the overlay.
pub fn on_key(app: &mut App, key: Key) -> bool {
    match app.overlay.clone() {
        Overlay::None => false,
        Overlay::Help => {
            // Any key closes help; the key that opened it (or Esc/q) does nothing more.
            app.overlay = Overlay::None;
            true
        }
        Overlay::Palette {
            mut query,
            selected,
        } => {
            let matches = palette_matches(&query);
            match key.code {
                KeyCode::Esc => app.overlay = Overlay::None,
                KeyCode::Enter => {
                    app.overlay = Overlay::None;
                    if let Some(&a) = matches.get(selected) {
                        app.act(a);
                    }
                }
                KeyCode::Up => {
                    app.overlay = Overlay::Palette {
                        query,
                        selected: selected.saturating_sub(1),
                    }
                }
                KeyCode::Down => {
                    app.overlay = Overlay::Palette {
                        query,
                        selected: (selected + 1).min(matches.len().saturating_sub(1)),
                    }
                }
                KeyCode::Backspace => {
                    query.pop();
                    app.overlay = Overlay::Palette { query, selected: 0 };
                }
                KeyCode::Char(c) if !key.ctrl => {
                    query.push(c);
                    app.overlay = Overlay::Palette { query, selected: 0 };
                }
                _ => {}
            }
            true
        }
        Overlay::Input { purpose, mut text } => {
            match key.code {
                KeyCode::Esc => app.overlay = Overlay::None,
                KeyCode::Enter => {
                    app.overlay = Overlay::None;
                    submit(app, purpose, text.trim().to_string());
                }
                KeyCode::Backspace => {
                    text.pop();
                    app.overlay = Overlay::Input { purpose, text };
                }
                KeyCode::Tab
                    if matches!(
                        purpose,
                        InputPurpose::OpenFile
                            | InputPurpose::AttachTransactions
                            | InputPurpose::AttachEvents
                    ) =>
                {
                    let text = complete_path(&text);
                    app.overlay = Overlay::Input { purpose, text };
                }
                KeyCode::Char(c) if !key.ctrl => {
                    text.push(c);
                    app.overlay = Overlay::Input { purpose, text };
                }
                _ => {}
            }
            true
        }
        Overlay::Pick { purpose, selected } => {
            let n = super::sources::pick_options(app, &purpose).len();
            let selected = match key.code {
                KeyCode::Esc => {
                    app.overlay = Overlay::None;
                    return true;
                }
                KeyCode::Enter => {
                    app.overlay = Overlay::None;
                    super::sources::pick(app, purpose, selected);
                    return true;
                }
                KeyCode::Up => selected.saturating_sub(1),
                KeyCode::Down => (selected + 1).min(n.saturating_sub(1)),
                KeyCode::Home => 0,
                KeyCode::End => n.saturating_sub(1),
                _ => selected,
            };
            app.overlay = Overlay::Pick { purpose, selected };
            true
        }
        Overlay::LogOffer => {
            // Only an answer closes it: the session waits on it.
            match key.code {
                KeyCode::Char('y' | 'Y') => super::sources::answer_offer(app, true),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => super::sources::answer_offer(app, false),
                _ => {}
            }
            true
        }
    }
}

/// Actions whose name or description contains every word of `query`.
pub fn palette_matches(query: &str) -> Vec<Action> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    ACTIONS
        .iter()
        .filter(|(_, name, desc)| {
            let hay = format!("{} {}", name.replace('_', " "), desc).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .map(|a| a.0)
        .collect()
}

fn submit(app: &mut App, purpose: InputPurpose, text: String) {
    // An empty as-of is an answer: the log's end.
    if purpose == InputPurpose::AsOf || !text.is_empty() && sources_input(&purpose) {
        super::sources::submit(app, purpose, text);
        return;
    }
    if text.is_empty() {
        return;
    }
    match purpose {
        InputPurpose::OpenFile => {
            let path = PathBuf::from(&text);
            if !path.is_file() {
                app.error(format!("{text}: no such file"));
                return;
            }
            // The session switches to it once it has loaded (`App::finish`).
            app.opening = Some(path);
            app.start(Stage::Load);
            app.say(format!("opening {text}"));
        }
        InputPurpose::Rename(id) => {
            // The name is kept with the segment's identity, so it follows it across re-runs.
            let Some(res) = app.result.as_ref() else {
                return;
            };
            let mut pinned = app.recipe.clone();
            res.outcome.pin_name(&mut pinned, id, text);
            app.change(Stage::Names, |r| r.segments = pinned.segments);
        }
        InputPurpose::Eps => match text.parse::<f64>() {
            Ok(v) if v > 0.0 && v.is_finite() => app.change(Stage::Cluster, |r| r.cluster.eps = v),
            _ => app.error(format!("eps must be a positive number, got '{text}'")),
        },
        InputPurpose::MinPoints | InputPurpose::NInit => match text.parse::<usize>() {
            Ok(v) if v >= 1 => app.change(Stage::Cluster, |r| {
                if purpose == InputPurpose::MinPoints {
                    r.cluster.min_points = v
                } else {
                    r.cluster.n_init = v
                }
            }),
            _ => app.error(format!("a whole number ≥ 1, got '{text}'")),
        },
        InputPurpose::CompareWith => super::compare::start(app, PathBuf::from(text)),
        InputPurpose::AttachTransactions | InputPurpose::AttachEvents | InputPurpose::AsOf => {}
        InputPurpose::OutDir => {
            let p = PathBuf::from(&text);
            if p.exists() {
                app.error(format!(
                    "{text} exists; exports never overwrite: pick a new folder"
                ));
            } else {
                app.out_dir = p;
            }
        }
    }
}

fn sources_input(p: &InputPurpose) -> bool {
    matches!(
        p,
        InputPurpose::AttachTransactions | InputPurpose::AttachEvents
    )
}

/// Completes the last path component when it has one unambiguous continuation (common
/// prefix of the matches).
pub fn complete_path(text: &str) -> String {
    let path = std::path::Path::new(text);
    let (dir, stem) = if text.ends_with('/') || text.is_empty() {
        (path.to_path_buf(), String::new())
    } else {
        (
            path.parent().map(|p| p.to_path_buf()).unwrap_or_default(),
            path.file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )
    };
    let read_dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.clone()
    };
    let mut names: Vec<String> = std::fs::read_dir(&read_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let mut n = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                n.push('/');
            }
            n
        })
        .filter(|n| n.starts_with(&stem))
        .collect();
    names.sort();
    let Some(first) = names.first() else {
        return text.to_string();
    };
    let mut common = first.clone();
    for n in &names[1..] {
        while !n.starts_with(&common) {
            common.pop();
        }
    }
    dir.join(common).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_filters_by_words() {
        let m = palette_matches("save rec");
        assert_eq!(m, vec![Action::SaveRecipe]);
        assert_eq!(palette_matches("").len(), ACTIONS.len());
        assert!(palette_matches("zzz").is_empty());
    }

    #[test]
    fn completion_extends_to_the_common_prefix() {
        let root = env!("CARGO_MANIFEST_DIR");
        let got = complete_path(&format!("{root}/sample-data/cust"));
        assert_eq!(got, format!("{root}/sample-data/customers.csv"));
        let got = complete_path(&format!("{root}/sample-data/t"));
        assert_eq!(
            got,
            format!("{root}/sample-data/tr"),
            "transactions.csv and truth.csv"
        );
    }
}
