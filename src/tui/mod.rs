//! The interactive workbench. `run` owns the terminal: raw mode, the alternate screen, mouse
//! reporting and the hidden cursor are always undone (normal exit, error, a panic on the UI
//! thread, or a termination signal). Everything else is in `App` (state and actions) and `views`
//! (pure drawing), so tests drive the same code without a terminal.

pub mod action;
pub mod app;
mod compare;
mod edit;
pub mod jobs;
pub mod keymap;
mod overlay;
mod recent;
pub mod results;
pub mod rfm;
pub mod screen;
mod sources;
mod stage;
pub mod theme;
pub mod views;
mod writes;

use crate::recipe::Recipe;
use app::{App, Session};
use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind, MouseEventKind,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

/// Redraw at most this often while a job reports progress.
const TICK: Duration = Duration::from_millis(100);

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("the workbench needs a terminal (stdin and stdout must be a TTY); use the seglab subcommands in scripts")]
    NotATerminal,
    #[error("terminal: {0}")]
    Io(#[from] io::Error),
}

pub fn open(session: Session, recipe: Recipe) -> Result<(), TuiError> {
    if !(io::stdout().is_terminal() && io::stdin().is_terminal()) {
        return Err(TuiError::NotATerminal);
    }
    install_panic_hook();
    // From here on a termination signal restores the terminal before the process exits.
    crate::signals::set_ui_restore(Some(restore));
    let result = enter().and_then(|mut terminal| event_loop(&mut terminal, session, recipe));
    crate::signals::set_ui_restore(None);
    restore();
    if let Some(signal) = crate::signals::received() {
        crate::signals::terminate(signal);
    }
    result
}

/// Raw mode, alternate screen, mouse reporting. Not `ratatui::try_init`: its panic hook would
/// restore the terminal for a panic on any thread, even a job's that is caught.
fn enter() -> Result<ratatui::DefaultTerminal, TuiError> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    Ok(ratatui::Terminal::new(
        ratatui::backend::CrosstermBackend::new(io::stdout()),
    )?)
}

/// Cooked mode, main screen, no mouse reporting, cursor shown. Safe to call more than once.
fn restore() {
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = crossterm::execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Restores the terminal before the panic message is printed, but only for a panic on the UI
/// thread: a job thread's panic is caught and shown in the status bar while the workbench goes on.
fn install_panic_hook() {
    let ui_thread = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui_thread {
            restore();
            previous(info);
        }
    }));
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    session: Session,
    recipe: Recipe,
) -> Result<(), TuiError> {
    let (keymap, keymap_problem) = keymap::Keymap::load();
    let mut app = App::new(session, recipe, keymap);
    match keymap_problem {
        Some(p) => app.error(p),
        None => app.say("Tab/Shift-Tab or 1-6: screens · ?: keys · : commands · q: quit"),
    }
    let mut dirty = true;
    let mut last_draw = Instant::now() - TICK;
    // A termination signal ends the loop; `run` restores the terminal and exits.
    while !app.quit && crate::signals::received().is_none() {
        dirty |= app.poll_jobs();
        // Progress bars move while jobs run: redraw on a tick then, otherwise only on change.
        if dirty || (app.jobs.busy() && last_draw.elapsed() >= TICK) {
            terminal.draw(|f| views::draw(f, &app))?;
            last_draw = Instant::now();
            dirty = false;
        }
        let wait = if app.jobs.busy() {
            Duration::from_millis(20)
        } else {
            Duration::from_millis(250)
        };
        if !event::poll(wait)? {
            continue;
        }
        // Drain everything pending before the next draw (coalesced redraws).
        loop {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    app.on_key(keymap::Key::from_event(&k));
                    dirty = true;
                }
                Event::Mouse(m) => {
                    let a = match m.kind {
                        MouseEventKind::ScrollDown => Some(action::Action::Down),
                        MouseEventKind::ScrollUp => Some(action::Action::Up),
                        _ => None,
                    };
                    if let Some(a) = a {
                        app.act(a);
                        dirty = true;
                    }
                }
                Event::Resize(..) => dirty = true,
                _ => {}
            }
            if app.quit || !event::poll(Duration::ZERO)? {
                break;
            }
        }
    }
    Ok(())
}
