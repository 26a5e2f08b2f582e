//! Keys → actions, from assets/keymap.toml with the user's file laid over it. A screen's own
//! table is searched before [global], so a screen can reuse a key.

use super::action::Action;
use super::screen::Screen;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

const DEFAULT: &str = include_str!("../../assets/keymap.toml");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Key {
        Key {
            code: e.code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn parse(s: &str) -> Option<Key> {
        let (mut ctrl, mut alt, mut rest) = (false, false, s);
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                (ctrl, rest) = (true, r);
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                (alt, rest) = (true, r);
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().ok()?)
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next()?),
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("C-{base}"),
            (_, true) => format!("M-{base}"),
            _ => base,
        }
    }
}

/// A table of the keymap file: None is [global].
type Scope = Option<Screen>;

#[derive(Clone, Debug)]
pub struct Keymap {
    map: HashMap<(Scope, Key), Action>,
}

impl Keymap {
    /// The defaults, then the user's file (from the config dir) when there is one. A broken user
    /// file is reported and ignored, never fatal.
    pub fn load() -> (Keymap, Option<String>) {
        let mut km = Keymap::parse(DEFAULT).expect("assets/keymap.toml is valid (tested)");
        let Some(path) = user_file() else {
            return (km, None);
        };
        let problem = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| Keymap::parse(&text))
            .map(|user| km.map.extend(user.map))
            .err()
            .map(|e| format!("{}: {e}; using the default keys", path.display()));
        (km, problem)
    }

    pub fn defaults() -> Keymap {
        Keymap::parse(DEFAULT).expect("assets/keymap.toml is valid (tested)")
    }

    pub fn parse(text: &str) -> Result<Keymap, String> {
        if let Some((line, column)) = crate::recipe::toml_too_deep(text) {
            return Err(crate::recipe::toml_depth_message(line, column));
        }
        let tables: BTreeMap<String, BTreeMap<String, String>> =
            toml::from_str(text).map_err(|e| e.to_string())?;
        let mut map = HashMap::new();
        for (table, keys) in tables {
            let scope = match table.as_str() {
                "global" => None,
                name => {
                    Some(Screen::from_name(name).ok_or_else(|| format!("unknown table [{name}]"))?)
                }
            };
            for (key, action) in keys {
                let k = Key::parse(&key).ok_or_else(|| format!("[{table}] unknown key '{key}'"))?;
                let a = Action::from_name(&action)
                    .ok_or_else(|| format!("[{table}] {key}: unknown action '{action}'"))?;
                map.insert((scope, k), a);
            }
        }
        Ok(Keymap { map })
    }

    pub fn action(&self, screen: Screen, key: Key) -> Option<Action> {
        let key = normalise(key);
        self.map
            .get(&(Some(screen), key))
            .or_else(|| self.map.get(&(None, key)))
            .copied()
    }

    /// Keys bound to `action` on `screen` (its own table, then global ones not shadowed).
    pub fn keys_for(&self, screen: Screen, action: Action) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .map
            .iter()
            .filter(|((scope, k), a)| {
                **a == action
                    && (*scope == Some(screen)
                        || (scope.is_none() && !self.map.contains_key(&(Some(screen), *k))))
            })
            .map(|((_, k), _)| *k)
            .collect();
        // Plain keys first: they are what the hints show.
        keys.sort_by_key(|k| (k.ctrl || k.alt, k.label()));
        keys
    }

    /// Actions with a key on `screen`, screen-specific ones first.
    pub fn actions_on(&self, screen: Screen) -> Vec<(Action, Vec<Key>)> {
        let mut own = Vec::new();
        let mut global = Vec::new();
        for &(a, _, _) in super::action::ACTIONS {
            let keys = self.keys_for(screen, a);
            if keys.is_empty() {
                continue;
            }
            if self
                .map
                .iter()
                .any(|((s, _), x)| *x == a && *s == Some(screen))
            {
                own.push((a, keys));
            } else {
                global.push((a, keys));
            }
        }
        own.extend(global);
        own
    }

    /// The first key label for an action (for on-screen hints).
    pub fn hint(&self, screen: Screen, action: Action) -> String {
        self.keys_for(screen, action)
            .first()
            .map_or_else(|| ":".into(), |k| k.label())
    }
}

/// Shift is part of the character for letters; crossterm may still report it.
fn normalise(mut k: Key) -> Key {
    if let KeyCode::Char(c) = k.code {
        if k.ctrl {
            k.code = KeyCode::Char(c.to_ascii_lowercase());
        }
    }
    k
}

pub fn user_file() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "seglab")?;
    let p = dirs.config_dir().join("keymap.toml");
    Path::new(&p).exists().then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_screens_shadow_global() {
        let km = Keymap::defaults();
        let key = |s| Key::parse(s).unwrap();
        assert_eq!(km.action(Screen::Data, key("q")), Some(Action::Quit));
        assert_eq!(km.action(Screen::Cluster, key("r")), Some(Action::RunSweep));
        assert_eq!(km.action(Screen::Segments, key("r")), Some(Action::Rename));
        assert_eq!(km.action(Screen::Data, key("o")), Some(Action::Open));
        assert_eq!(
            km.action(Screen::Clean, key("o")),
            Some(Action::CycleOutlier)
        );
        assert_eq!(km.action(Screen::Data, key("ctrl-c")), Some(Action::Quit));
        assert_eq!(km.action(Screen::Data, key("r")), None);
        // Every action has a key somewhere.
        for &(a, name, _) in super::super::action::ACTIONS {
            assert!(
                Screen::ALL.iter().any(|&s| !km.keys_for(s, a).is_empty()),
                "{name} has no key"
            );
        }
    }

    #[test]
    fn user_tables_override_and_errors_name_the_key() {
        let mut km = Keymap::defaults();
        let user = Keymap::parse("[cluster]\ng = \"run_sweep\"\n[global]\nQ = \"quit\"\n").unwrap();
        km.map.extend(user.map);
        assert_eq!(
            km.action(Screen::Cluster, Key::parse("g").unwrap()),
            Some(Action::RunSweep)
        );
        assert_eq!(
            km.action(Screen::Export, Key::parse("Q").unwrap()),
            Some(Action::Quit)
        );
        let e = Keymap::parse("[global]\nctrl-x = \"launch\"\n").unwrap_err();
        assert!(e.contains("unknown action 'launch'"), "{e}");
        let e = Keymap::parse("[global]\nhyper-x = \"quit\"\n").unwrap_err();
        assert!(e.contains("unknown key 'hyper-x'"), "{e}");
    }
}
