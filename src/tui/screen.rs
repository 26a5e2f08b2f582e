//! The six stages of the flow, one screen each.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Screen {
    Data,
    Clean,
    Features,
    Cluster,
    Segments,
    Export,
}

impl Screen {
    pub const ALL: [Screen; 6] = [
        Screen::Data,
        Screen::Clean,
        Screen::Features,
        Screen::Cluster,
        Screen::Segments,
        Screen::Export,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Data => "Data",
            Screen::Clean => "Clean",
            Screen::Features => "Features",
            Screen::Cluster => "Cluster",
            Screen::Segments => "Segments",
            Screen::Export => "Export",
        }
    }

    pub fn from_name(name: &str) -> Option<Screen> {
        Screen::ALL
            .into_iter()
            .find(|s| s.title().eq_ignore_ascii_case(name))
    }

    pub fn index(self) -> usize {
        Screen::ALL.iter().position(|&s| s == self).unwrap_or(0)
    }

    pub fn next(self) -> Screen {
        Screen::ALL[(self.index() + 1) % Screen::ALL.len()]
    }

    pub fn prev(self) -> Screen {
        Screen::ALL[(self.index() + Screen::ALL.len() - 1) % Screen::ALL.len()]
    }
}
