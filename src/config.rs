//! The user's own configuration files, read by the front ends (never by the engine).

use crate::engine::personas::{built_in_rules, parse_rules, PersonaError, PersonaRules};
use crate::engine::rfm::{RfmMapError, RfmSegmentMap};
use crate::recipe::Recipe;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Personas(#[from] PersonaError),
    #[error(transparent)]
    RfmMap(#[from] RfmMapError),
}

/// The user's RFM segment map (`rfm_segments.toml` in the config folder), when there is one.
pub fn user_rfm_map() -> Result<Option<RfmSegmentMap>, ConfigError> {
    let Some(path) = directories::ProjectDirs::from("", "", "seglab")
        .map(|d| d.config_dir().join("rfm_segments.toml"))
        .filter(|p| p.exists())
    else {
        return Ok(None);
    };
    let file = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        file: file.clone(),
        source,
    })?;
    Ok(Some(RfmSegmentMap::parse(&text, &file)?))
}

/// The RFM segment map `rfm` and `run` name segments with: the user's copy, else the built-in.
pub fn rfm_map() -> Result<RfmSegmentMap, ConfigError> {
    match user_rfm_map()? {
        Some(map) => Ok(map),
        None => Ok(RfmSegmentMap::built_in()?),
    }
}

/// Hands the user's RFM map (if any) to a run that reads a transaction log.
pub fn use_user_rfm_map(recipe: &mut Recipe, has_log: bool) -> Result<(), ConfigError> {
    if let Some(map) = user_rfm_map()? {
        if has_log {
            recipe
                .transactions
                .get_or_insert_with(Default::default)
                .rfm_map = Some(map);
        }
    }
    Ok(())
}

/// A user's own naming rules in the config folder replace the built-in ones.
pub fn user_personas() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "seglab")?;
    let p = dirs.config_dir().join("personas.toml");
    p.exists().then_some(p)
}

/// The persona rules a run names its segments with: the user's file when there is one.
pub fn persona_rules() -> Result<PersonaRules, ConfigError> {
    rules_from(user_personas().as_deref())
}

/// The built-in rules, or the file at `user` instead. A given path that does not exist is an
/// error: callers probing the config folder pass `None` when the file is absent, so a
/// mistyped explicit path is never silently ignored.
pub fn rules_from(user: Option<&Path>) -> Result<PersonaRules, ConfigError> {
    let Some(path) = user else {
        return Ok(built_in_rules()?);
    };
    let file = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(parse_rules(&text, &file)?),
        Err(source) => Err(ConfigError::Read { file, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_user_files_name_the_file_and_key() {
        let dir = std::env::temp_dir().join(format!("seglab-personas-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let check = |file: &str, text: &str, key: &str| {
            let path = dir.join(file);
            let tail = "[fallback]\nname = \"F\"\ndescription = \"\"\n[noise]\nname = \"N\"\ndescription = \"\"\n";
            std::fs::write(&path, format!("{text}\n{tail}")).unwrap();
            let err = rules_from(Some(&path)).unwrap_err().to_string();
            assert!(
                err.contains(&path.display().to_string()) && err.contains(key),
                "{err}"
            );
        };
        let persona = "[[persona]]\nname = \"X\"\ndescription = \"d\"\n";
        check(
            "cond.toml",
            &format!("{persona}conditions = {{ monetary = \"z >> 1\" }}\n"),
            "conditions.monetary",
        );
        check(
            "unknown.toml",
            &format!("{persona}conditions = {{ m = \"z > 1\" }}\ncolour = 1\n"),
            "colour",
        );
        check(
            "place.toml",
            "[[persona]]\nname = \"X\"\ndescription = \"{sizes}\"\nconditions = { m = \"z > 1\" }\n",
            "description",
        );
        check(
            "min.toml",
            &format!("{persona}conditions = {{ m = \"z > 1\" }}\nmin_match = 2\n"),
            "min_match",
        );
        check("dup.toml", &format!("{persona}conditions = {{ m = \"lift < 1\" }}\n{persona}conditions = {{ m = \"mean <= 1\" }}\n"), "name");
        check("syntax.toml", "[[persona]\n", "line 1");
        check(
            "empty.toml",
            "[[persona]]\nname = \" \"\ndescription = \"\"\nconditions = { m = \"z > 0\" }",
            "name: is empty",
        );
        let missing = dir.join("nope.toml");
        let err = rules_from(Some(&missing)).unwrap_err().to_string();
        assert!(err.contains("nope.toml"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
