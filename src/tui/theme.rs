//! Colours: dark and light terminals, and a high-contrast theme for projectors.

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeKind {
    Dark,
    Light,
    HighContrast,
}

impl ThemeKind {
    pub fn next(self) -> ThemeKind {
        match self {
            ThemeKind::Dark => ThemeKind::Light,
            ThemeKind::Light => ThemeKind::HighContrast,
            ThemeKind::HighContrast => ThemeKind::Dark,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ThemeKind::Dark => "dark",
            ThemeKind::Light => "light",
            ThemeKind::HighContrast => "high contrast",
        }
    }

    pub fn theme(self) -> Theme {
        match self {
            ThemeKind::Dark => Theme {
                base: Style::new(),
                accent: Style::new().fg(Color::Cyan),
                dim: Style::new().fg(Color::DarkGray),
                selected: Style::new().add_modifier(Modifier::REVERSED),
                good: Style::new().fg(Color::Green),
                bad: Style::new().fg(Color::Red),
                series: [
                    Color::Cyan,
                    Color::Yellow,
                    Color::Magenta,
                    Color::Green,
                    Color::Red,
                    Color::Blue,
                    Color::LightCyan,
                    Color::LightYellow,
                ],
            },
            ThemeKind::Light => Theme {
                base: Style::new(),
                accent: Style::new().fg(Color::Blue),
                dim: Style::new().fg(Color::Gray),
                selected: Style::new().add_modifier(Modifier::REVERSED),
                good: Style::new().fg(Color::Green),
                bad: Style::new().fg(Color::Red),
                series: [
                    Color::Blue,
                    Color::Red,
                    Color::Magenta,
                    Color::Green,
                    Color::Black,
                    Color::Cyan,
                    Color::DarkGray,
                    Color::LightRed,
                ],
            },
            ThemeKind::HighContrast => Theme {
                base: Style::new().fg(Color::White).bg(Color::Black),
                accent: Style::new()
                    .fg(Color::Yellow)
                    .bg(Color::Black)
                    .add_modifier(Modifier::BOLD),
                dim: Style::new().fg(Color::White).bg(Color::Black),
                selected: Style::new().fg(Color::Black).bg(Color::Yellow),
                good: Style::new().fg(Color::LightGreen).bg(Color::Black),
                bad: Style::new().fg(Color::LightRed).bg(Color::Black),
                series: [
                    Color::Yellow,
                    Color::LightCyan,
                    Color::LightMagenta,
                    Color::LightGreen,
                    Color::White,
                    Color::LightRed,
                    Color::LightBlue,
                    Color::Gray,
                ],
            },
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub base: Style,
    pub accent: Style,
    pub dim: Style,
    pub selected: Style,
    pub good: Style,
    pub bad: Style,
    /// Cluster colours, in order.
    pub series: [Color; 8],
}

impl Theme {
    pub fn cluster(&self, i: usize) -> Color {
        self.series[i % self.series.len()]
    }

    /// Heat colour for a z-score: blue below the population, red above.
    pub fn heat(&self, z: f64) -> Color {
        let t = (z.abs().min(2.0) / 2.0 * 4.0).round() as usize;
        let hot = [
            Color::Reset,
            Color::Rgb(120, 60, 60),
            Color::Rgb(170, 60, 60),
            Color::Rgb(210, 50, 50),
            Color::Rgb(240, 30, 30),
        ];
        let cold = [
            Color::Reset,
            Color::Rgb(60, 60, 120),
            Color::Rgb(60, 70, 170),
            Color::Rgb(50, 80, 210),
            Color::Rgb(30, 90, 240),
        ];
        if z >= 0.0 {
            hot[t]
        } else {
            cold[t]
        }
    }
}
